"""The ContractNLI half of the legal benchmark on a two-hypothesis NDA, through the real
ingestion, retriever and model: a .txt keeps the document's character offsets, the located
clause's chunk covers the labelled evidence span, and a point the NDA never makes is missing."""
import json

import pytest

from agents.services import Countersign
from benchmarks.contractnli_review import run_nli

pytestmark = pytest.mark.integration

CLAUSE = ("The Recipient shall not reverse engineer, decompile or disassemble any prototypes, software or other "
          "objects which embody the Discloser's Confidential Information.")
TEXT = f"MUTUAL NON-DISCLOSURE AGREEMENT\n\n1. {CLAUSE}\n\n2. This Agreement is governed by the laws of England.\n"


def dataset(folder):
    start = TEXT.index(CLAUSE)
    law = TEXT.index("This Agreement is governed")
    doc = {"id": 7, "file_name": "tiny nda.pdf", "text": TEXT, "spans": [[start, start + len(CLAUSE)], [law, len(TEXT) - 1]],
           "annotation_sets": [{"annotations": {"nda-11": {"choice": "Entailment", "spans": [0]},
                                                "nda-18": {"choice": "NotMentioned", "spans": []}}}]}
    labels = {"nda-11": {"short_description": "No reverse engineering",
                         "hypothesis": "Receiving Party shall not reverse engineer any objects."},
              "nda-18": {"short_description": "No solicitation",
                         "hypothesis": "Receiving Party shall not solicit some of Disclosing Party's representatives."}}
    (folder / "dev.json").write_text(json.dumps({"documents": [doc], "labels": labels}), encoding="utf-8")


def test_positions_and_evidence_spans_on_a_tiny_nda(tmp_path, data_dir):
    dataset(tmp_path)
    app = Countersign.open(str(data_dir))
    try:
        out = run_nli(app, tmp_path, None, no_ask=True, log=tmp_path / "rows.jsonl")
    finally:
        app.close()
    assert out["items"] == 2
    done, total = out["chunk_offsets_verified"].split("/")
    assert done == total and int(total) >= 1
    rows = {json.loads(x)["hypothesis"]: json.loads(x) for x in (tmp_path / "rows.jsonl").read_text().splitlines()}
    assert rows["nda-18"]["gold"] == rows["nda-18"]["position"] == "missing"
    assert rows["nda-11"]["gold"] == "meets"
    assert rows["nda-11"]["position"] in ("meets", "deviates", "unclassified")
    assert rows["nda-11"]["spans_hit"] == 1 and "reverse engineer" in rows["nda-11"]["clause"]
    assert out["product"]["evidence_span_recall"] == 1.0
    assert out["majority_class"] == {"label": "meets", "accuracy": 0.5}
