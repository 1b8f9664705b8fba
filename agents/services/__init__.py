"""The core's one entry point for the CLI and the desktop (an import-linter rule holds the desktop to it)."""
from agents.runtime.priority import lower_this_thread as run_in_background
from agents.services.countersign import (SAMPLE_MATTER, Answer, Cancelled, CancelToken, Countersign, IngestReport,
                                         ReembedReport, WarmUpReport)
from agents.services.key_facade import KeyUnavailable, PassphraseNeeded, WrongKey, forget_passphrases, give_passphrase
from agents.review.service import ReviewConflict
from agents.services.walls_facade import SignInRefused, SignInRequired

__all__ = ["Answer", "Cancelled", "CancelToken", "Countersign", "IngestReport", "KeyUnavailable", "PassphraseNeeded",
           "ReembedReport", "ReviewConflict", "SAMPLE_MATTER", "SignInRefused", "SignInRequired", "WarmUpReport",
           "WrongKey", "forget_passphrases", "give_passphrase", "run_in_background"]
