
import docx
from docx.oxml import OxmlElement

from agents.knowledge.parsers import parse


def _tracked(paragraph, inserted: str, deleted: str) -> None:
    """Append a tracked insertion and a tracked deletion the way Word writes them."""
    ins = OxmlElement("w:ins")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = inserted
    run.append(t)
    ins.append(run)
    paragraph._p.append(ins)
    dele = OxmlElement("w:del")
    run = OxmlElement("w:r")
    dt = OxmlElement("w:delText")
    dt.text = deleted
    run.append(dt)
    dele.append(run)
    paragraph._p.append(dele)


def test_reading_order_tables_headers_and_tracked_changes(tmp_path):
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Privileged and confidential"
    d.sections[0].footer.paragraphs[0].text = "Ledger & Vale LLP"
    d.add_paragraph("1. The term is ")
    _tracked(d.paragraphs[-1], "three years.", "five years.")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Cap", "GBP 50,000"
    inner = table.cell(0, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "nested note"
    d.add_paragraph("2. After the table.")
    d.save(tmp_path / "memo.docx")

    text = parse(tmp_path / "memo.docx", 10_000_000).pages[0].text
    assert "1. The term is three years." in text and "five years" not in text
    assert text.index("Cap | GBP 50,000") < text.index("2. After the table.")
    assert "nested note" in text
    assert text.endswith("Headers and footers: Privileged and confidential / Ledger & Vale LLP")
