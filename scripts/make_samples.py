"""Regenerates resources/samples/matter/northwind_supply_agreement.pdf from its text source."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from pdfgen import write_pdf  # noqa: E402

source = ROOT / "resources/samples/source/northwind_supply_agreement.txt"
target = ROOT / "resources/samples/matter/northwind_supply_agreement.pdf"
pages = source.read_text(encoding="utf-8").split("\\f\n")
write_pdf(target, pages)
print(f"wrote {target} ({len(pages)} pages)")
