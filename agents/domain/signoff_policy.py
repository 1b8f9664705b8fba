"""People and the firm's sign-off policy: who may sign which domain's work, and how many
independent signatures a work product needs before it counts as signed off."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

ROLES = ("preparer", "reviewer", "partner")
# Template domains (resources/workproducts/*.toml `domain`).
DOMAINS = ("legal", "accounting", "finance", "tax", "other")

_INITIALS = re.compile(r"^[A-Za-z]{1,4}$")


class PolicyError(ValueError):
    """A profile or policy value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Profile:
    name: str
    initials: str
    role: str
    created_at: str = ""


def check_profile(name: str, initials: str, role: str) -> Profile:
    name = " ".join(name.split())
    if not name:
        raise PolicyError("a profile needs a name")
    if not _INITIALS.match(initials):
        raise PolicyError(f"initials '{initials}' must be 1 to 4 letters, e.g. MV")
    if role not in ROLES:
        raise PolicyError(f"role '{role}' is not one of: {', '.join(ROLES)}")
    return Profile(name, initials.upper(), role)


def _default_signers() -> dict[str, tuple[str, ...]]:
    return {d: ("reviewer", "partner") for d in DOMAINS}


@dataclass(frozen=True)
class SignOffPolicy:
    # Roles allowed to sign each domain's work products.
    signers: dict[str, tuple[str, ...]] = field(default_factory=_default_signers)
    # Two different people must sign the same content before it is signed off.
    second_reviewer: bool = False
    # At least one signer must be someone who neither prepared nor edited the draft.
    maker_checker: bool = True

    def roles_for(self, domain: str) -> tuple[str, ...]:
        return self.signers.get(domain, self.signers.get("other", ()))


def with_setting(policy: SignOffPolicy, key: str, value: str) -> SignOffPolicy:
    """The policy with one setting changed, as `countersign policy set KEY VALUE` gives it."""
    if key in ("second_reviewer", "maker_checker"):
        flag = {"true": True, "on": True, "yes": True, "false": False, "off": False, "no": False}.get(value.lower())
        if flag is None:
            raise PolicyError(f"{key} must be on or off, not '{value}'")
        return SignOffPolicy(dict(policy.signers), **{**_flags(policy), key: flag})
    domain = key.removeprefix("signers.")
    if key.startswith("signers.") and domain in DOMAINS:
        roles = tuple(r.strip() for r in value.replace(",", " ").split())
        bad = [r for r in roles if r not in ROLES]
        if bad or not roles:
            raise PolicyError(f"{key} takes roles from {', '.join(ROLES)} separated by commas, not '{value}'")
        return SignOffPolicy({**policy.signers, domain: roles}, **_flags(policy))
    known = ", ".join(["second_reviewer", "maker_checker"] + [f"signers.{d}" for d in DOMAINS])
    raise PolicyError(f"unknown policy setting '{key}'; known: {known}")


def _flags(policy: SignOffPolicy) -> dict[str, bool]:
    return {"second_reviewer": policy.second_reviewer, "maker_checker": policy.maker_checker}


def signer_refusal(policy: SignOffPolicy, profile: Profile | None, name: str, domain: str) -> str | None:
    """Why this person may not sign this domain's work, or None."""
    if profile is None:
        return (f"'{name}' has no profile, so the signature could not be attributed; add one with "
                f"`countersign profile add \"{name}\" --initials XX --role reviewer`")
    allowed = policy.roles_for(domain)
    if profile.role not in allowed:
        return (f"{profile.name} is a {profile.role}; firm policy lets only {' or '.join(allowed) or 'nobody'} "
                f"sign {domain} work products")
    return None


def awaiting(policy: SignOffPolicy, signers: list[str], makers: set[str]) -> list[str]:
    """What the signatures so far still lack under the policy; empty when the work is signed off.
    `makers` are the preparer and everyone who edited the draft (compared case-insensitively)."""
    people = {s.casefold() for s in signers}
    out = []
    if policy.second_reviewer and len(people) < 2:
        out.append("a second reviewer's sign-off (policy requires two different people)")
    if policy.maker_checker and people and people <= {m.casefold() for m in makers}:
        out.append("a sign-off by someone who neither prepared nor edited the draft (maker-checker)")
    return out
