"""Scoring rules for benchmarks/contract_review.py, kept apart from the run so they can be tested
without models: how CUAD categories and ContractNLI labels map onto playbook topics and
positions, when a governing-law answer is right, and when a located clause is the labelled one."""
from __future__ import annotations

import re
from collections import Counter

# CUAD category (lower case) -> commercial playbook topic that should locate it.
CUAD_TOPICS = {
    "governing law": "governing_law",
    "anti-assignment": "assignment",
    "change of control": "assignment",
    "cap on liability": "limitation_of_liability",
    "termination for convenience": "term_termination",
    "renewal term": "renewal",
    "non-compete": "non_compete",
}

US_STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska",
    "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio",
    "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas",
    "Utah", "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming",
)
# Labels name some jurisdictions more fully than an answer would ("People's Republic of China").
_ALIASES = {"people's republic of china": ("china", "prc"), "england and wales": ("england", "english law"),
            "hong kong": ("hong kong",), "ontario, canada": ("ontario",)}

# ContractNLI choice -> playbook position when the firm standard says what the hypothesis says.
_POSITION = {"Entailment": "meets", "Contradiction": "deviates", "NotMentioned": "missing"}
_FLIPPED = {"meets": "deviates", "deviates": "meets", "missing": "missing"}


def cuad_topic(category: str) -> str | None:
    return CUAD_TOPICS.get(category.strip().lower())


def governing_law_correct(answer: str, label: str) -> bool:
    """The labelled jurisdiction is named and no other US state is. Names are matched longest
    first, so "West Virginia" does not also name Virginia."""
    text = " " + " ".join(re.sub(r"[^\w']+", " ", answer.lower()).split()) + " "
    key = label.strip().lower()
    names = set(_ALIASES.get(key, (key.split(",")[0].strip(),)))
    found = set()
    for name in sorted(names | {s.lower() for s in US_STATES}, key=len, reverse=True):
        if f" {name} " in text:
            found.add(name)
            text = text.replace(f" {name} ", " | ")
    return bool(found & names) and found <= names


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def shares_passage(span_text: str, chunk_text: str, n: int = 8) -> bool:
    """Whether the chunk holds the labelled excerpt: an n-word run in common (the whole excerpt
    when it is shorter). Robust to the line breaks and spacing PDF text adds."""
    span, chunk = _words(span_text), _words(chunk_text)
    if not span:
        return False
    size = min(n, len(span))
    grams = {tuple(chunk[i:i + size]) for i in range(len(chunk) - size + 1)}
    return any(tuple(span[i:i + size]) in grams for i in range(len(span) - size + 1))


def gold_position(choice: str, negated: bool) -> str:
    """The label as a playbook position. For a negated topic the standard is the opposite of the
    hypothesis ("need not be marked" vs "shall be marked"), so entailment means it deviates."""
    position = _POSITION[choice]
    return _FLIPPED[position] if negated else position


def parse_yes_no(text: str) -> str | None:
    """A plain answer to "does the agreement say ...?" as a ContractNLI choice, or None when it
    says none of yes / no / not mentioned."""
    t = " ".join(re.sub(r"\[\d+\]", " ", text).lower().split())
    if re.search(r"not (explicitly |specifically )?(mentioned|addressed|specified|stated|covered)|does not (say|mention|address|specify)"
                 r"|do(es)? not answer|no (information|mention)|doesn't (say|mention)|not (provided|included) in|cannot be determined", t):
        return "NotMentioned"
    first = re.match(r"\W*(yes|no)\b", t)
    if first:
        return "Entailment" if first.group(1) == "yes" else "Contradiction"
    if re.search(r"\byes\b", t):
        return "Entailment"
    if re.search(r"\bno\b", t):
        return "Contradiction"
    return None


def overlaps(span: tuple[int, int], start: int, end: int) -> bool:
    return span[0] < end and start < span[1]


def confusion(pairs: list[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """gold -> predicted -> count."""
    out: dict[str, dict[str, int]] = {}
    for gold, predicted in pairs:
        row = out.setdefault(gold, {})
        row[predicted] = row.get(predicted, 0) + 1
    return out


def accuracy(pairs: list[tuple[str, str]]) -> float | None:
    return round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else None


def majority_accuracy(golds: list[str]) -> tuple[str | None, float | None]:
    if not golds:
        return None, None
    label, count = Counter(golds).most_common(1)[0]
    return label, round(count / len(golds), 4)


def ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None
