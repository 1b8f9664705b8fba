"""The core's one entry point for the CLI and the desktop (an import-linter rule holds the desktop to it)."""
from agents.services.countersign import (SAMPLE_MATTER, Answer, Cancelled, CancelToken, Countersign, IngestReport,
                                         ReembedReport, WarmUpReport)

__all__ = ["Answer", "Cancelled", "CancelToken", "Countersign", "IngestReport", "ReembedReport", "SAMPLE_MATTER",
           "WarmUpReport"]
