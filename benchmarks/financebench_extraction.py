"""Line-item extraction + code ratios vs plain retrieve-and-ask, on FinanceBench metrics questions.

For every `metrics-generated` question the metric is mapped to line items and a ratio
(agents/workproducts/ratios.py); the answer is computed from the items extracted from the
question's own filing, in each extraction mode ("code", "auto", "model"), and compared with the
analyst's answer. In the same run the product's Countersign.ask answers the same question with
the same model over the same ingested library; the first number of its answer (years such as
2019 skipped) is compared the same way. A figure is correct when, rounded to the decimals of the
analyst's answer, it is within 1% of it. Questions whose metric has no mapping are "unsupported"
and count as wrong. Prints one JSON object.

Usage:
  COUNTERSIGN_MODELS_DIR=/tmp/cs-models .venv/bin/python benchmarks/financebench_extraction.py \
      [DATA_FOLDER] [--data /tmp/fb-data] [--limit N] [--modes code,auto,model] [--no-ask]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.domain.events import Finished
from agents.runtime import settings as settings_mod
from agents.services import Countersign
from agents.workproducts.financial_lines import (
    UNIT_SCALE,
    LineItems,
    extract_line_items,
)
from agents.workproducts.ratios import BY_RATIO, compute

MATTER = "FinanceBench"
TOLERANCE = Decimal("0.01")

# Question wording -> (metric, line items it needs). Ratios before the amounts they mention.
METRICS = (
    (r"fixed asset turnover", "fixed_asset_turnover"),
    (r"inventory turnover", "inventory_turnover"),
    (r"days payable outstanding|\bdpo\b", "days_payable"),
    (r"ebitda less capex", "ebitda_less_capex"),
    (r"ebitda %? ?margin", "ebitda_margin"),
    (r"capex as a % of revenue", "capex_to_revenue_avg"),
    (r"change in (unadjusted )?operating income", "operating_income_growth"),
    (r"change in revenue|revenue growth", "revenue_growth"),
    (r"amount of inventor|total inventor", "inventory"),
    (r"cash flow from operating activities|cash from operations", "operating_cash_flow"),
    (r"total assets", "total_assets"),
    (r"accounts payable", "accounts_payable"),
)
NEEDS = {
    "fixed_asset_turnover": ("revenue", "ppe_net"), "inventory_turnover": ("cost_of_revenue", "inventory"),
    "days_payable": ("accounts_payable", "cost_of_revenue", "inventory"),
    "ebitda_less_capex": ("operating_income", "depreciation_amortization", "capex"),
    "ebitda_margin": ("operating_income", "depreciation_amortization", "revenue"),
    "capex_to_revenue_avg": ("capex", "revenue"), "operating_income_growth": ("operating_income",),
    "revenue_growth": ("revenue",), "inventory": ("inventory",), "operating_cash_flow": ("operating_cash_flow",),
    "total_assets": ("total_assets",), "accounts_payable": ("accounts_payable",),
}
_NUMBER = re.compile(r"-?\(?\$?\d[\d,]*(?:\.\d+)?")


def metric_of(question: str) -> str | None:
    q = question.lower()
    return next((m for pattern, m in METRICS if re.search(pattern, q)), None)


def fiscal_year(question: str) -> str | None:
    years = re.findall(r"FY ?(\d{4})", question)
    return max(years) if years else None


def number(text: str, skip_years: bool = False) -> Decimal | None:
    for raw in _NUMBER.findall(re.sub(r"\[\d{1,3}\]", " ", text)):
        digits = raw.replace("$", "").replace(",", "").replace("(", "-").rstrip(".")
        if skip_years and re.fullmatch(r"(19|20)\d\d", digits):
            continue
        try:
            return Decimal(digits)
        except ArithmeticError:
            continue
    return None


def correct(ours: Decimal | None, truth_text: str) -> bool:
    truth = number(truth_text)
    if ours is None or truth is None:
        return False
    decimals = len(truth_text.split(".")[1].rstrip("%")) if "." in truth_text else 0
    ours = round(ours, decimals)
    return abs(ours - truth) <= TOLERANCE * abs(truth) if truth else ours == truth


def answer(items: LineItems, metric: str, year: str) -> tuple[Decimal | None, str]:
    """The metric for the fiscal year from the extracted items, and how it was computed."""
    def ratio(key: str, period: str = year):
        r = compute(items, key, period)
        return r.value, r.formula if r.value is not None else f"not computed: {r.reason}"

    def amount(key: str, period: str = year):
        item = items.get(key, period)
        if item is None:
            return None, f"not computed: {key} {period} not found"
        return item.in_unit("millions"), f"{item.name} {period} = {item.printed} {item.unit} ({item.source})"

    if metric in BY_RATIO:
        value, how = ratio(metric)
        r = compute(items, metric, year)
        if value is not None and r.unit:  # an amount, asked in USD millions
            value = value * UNIT_SCALE[r.unit] / UNIT_SCALE["millions"]
        return value, how
    if metric == "capex_to_revenue_avg":
        found = [ratio("capex_to_revenue", str(int(year) - k)) for k in range(3)]
        if any(v is None for v, _ in found):
            return None, next(d for v, d in found if v is None)
        return sum(v for v, _ in found) / 3, " | ".join(d for _, d in found)
    return amount(metric)


def ask_number(app: Countersign, question: str) -> tuple[Decimal | None, str]:
    text = ""
    for event in app.ask(MATTER, question):
        if isinstance(event, Finished) and event.result is not None:
            text = event.result.text
    return number(text, skip_years=True), text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(REPO.parent / "shared" / "data" / "financebench-dev"))
    ap.add_argument("--data", help="Countersign data directory with the filings ingested (default: a new temp dir)")
    ap.add_argument("--limit", type=int, help="only the first N metrics-generated questions")
    ap.add_argument("--modes", default="code,auto,model", help="extraction modes to measure (comma-separated)")
    ap.add_argument("--no-ask", action="store_true", help="skip the retrieve-and-ask baseline")
    args = ap.parse_args()
    folder = Path(args.folder)
    questions = [json.loads(line) for line in (folder / "questions.jsonl").read_text().splitlines() if line.strip()]
    questions = [q for q in questions if q["question_type"] == "metrics-generated"][:args.limit]
    modes = [m for m in args.modes.split(",") if m]

    data = Path(args.data or tempfile.mkdtemp(prefix="cs-fbx-"))
    data.mkdir(parents=True, exist_ok=True)
    settings_path = data / "settings.json"  # a large 10-K outlasts the default parse limit on 2 cores
    settings_mod.save(settings_mod.load(settings_path).model_copy(update={"parse_timeout_s": 900.0}), settings_path)
    app = Countersign.open(str(data))
    if MATTER not in {m.name for m in app.matters()}:
        app.create_matter(MATTER)
    started = time.perf_counter()
    wanted = sorted({folder / "pdfs" / f"{q['doc_name']}.pdf" for q in questions})
    for _ in app.ingest(MATTER, wanted):  # unchanged files are skipped
        pass
    ingest_s = time.perf_counter() - started
    docs = {d.filename: d for d in app.documents(MATTER)}
    model = app.model()
    params = app.params()

    needed: dict[str, set[str]] = {}
    for q in questions:
        metric = metric_of(q["question"])
        needed.setdefault(q["doc_name"] + ".pdf", set()).update(NEEDS.get(metric, ()))
    extracted: dict[tuple[str, str], LineItems | str] = {}
    mode_s = {m: 0.0 for m in modes}
    for name, keys in needed.items():
        for mode in modes:
            t = time.perf_counter()
            try:
                extracted[name, mode] = extract_line_items(app.library, docs[name], model, params,
                                                           keys=sorted(keys), mode=mode)
            except (KeyError, ValueError) as exc:
                extracted[name, mode] = f"extraction failed: {exc}"
            mode_s[mode] += time.perf_counter() - t

    results, hits = [], {m: 0 for m in modes}
    hits["ask"] = 0
    ask_s = 0.0
    for q in questions:
        metric, year = metric_of(q["question"]), fiscal_year(q["question"])
        row: dict = {"id": q["financebench_id"], "doc": q["doc_name"], "metric": metric or "unsupported",
                     "fiscal_year": year, "truth": q["answer"]}
        for mode in modes:
            items = extracted.get((q["doc_name"] + ".pdf", mode))
            if metric is None or year is None:
                value, how = None, "unsupported"
            elif isinstance(items, str) or items is None:
                value, how = None, items or "document not ingested"
            else:
                value, how = answer(items, metric, year)
            ok = correct(value, q["answer"])
            hits[mode] += ok
            row[mode] = {"answer": None if value is None else float(round(value, 4)), "correct": ok, "how": how}
        if not args.no_ask:
            t = time.perf_counter()
            value, text = ask_number(app, q["question"])
            ask_s += time.perf_counter() - t
            ok = correct(value, q["answer"])
            hits["ask"] += ok
            row["ask"] = {"answer": None if value is None else float(value), "correct": ok, "text": text[:300]}
        results.append(row)

    n = len(questions)
    out = {
        "model": model.model_id,
        "questions": n,
        "unsupported": sum(r["metric"] == "unsupported" for r in results),
        "accuracy": {f"extraction_{m}": round(hits[m] / n, 3) for m in modes},
        "tolerance": "within 1% after rounding to the analyst answer's decimals",
        "timing_s": {"ingest": round(ingest_s, 1), **{f"extraction_{m}": round(s, 1) for m, s in mode_s.items()}},
        "results": results,
    }
    if not args.no_ask:
        out["accuracy"]["ask_baseline"] = round(hits["ask"] / n, 3)
        out["timing_s"]["ask_baseline"] = round(ask_s, 1)
    app.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
