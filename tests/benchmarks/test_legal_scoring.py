"""Scoring rules of benchmarks/contract_review.py: label mappings, governing-law matching, span
and excerpt overlap, yes/no parsing and the summary arithmetic."""
from benchmarks.legal_scoring import (
    accuracy,
    confusion,
    cuad_topic,
    gold_position,
    governing_law_correct,
    majority_accuracy,
    overlaps,
    parse_yes_no,
    shares_passage,
)


def test_cuad_categories_map_to_commercial_topics_whatever_their_case():
    assert cuad_topic("Change of Control") == cuad_topic("Anti-Assignment") == "assignment"
    assert cuad_topic("Cap on Liability") == "limitation_of_liability"
    assert cuad_topic("Termination For Convenience") == "term_termination"
    assert cuad_topic("Parties") is None


def test_governing_law_needs_the_labelled_jurisdiction_and_no_other_state():
    assert governing_law_correct("The laws of the State of Delaware [1]", "Delaware")
    assert governing_law_correct("new york law", "New York")
    assert not governing_law_correct("New York or Delaware", "New York")
    assert not governing_law_correct("West Virginia", "Virginia")
    assert governing_law_correct("West Virginia", "West Virginia")
    assert governing_law_correct("Province of Ontario", "Ontario, Canada")
    assert governing_law_correct("the laws of the PRC", "People's Republic of China")
    assert governing_law_correct("English law", "England and Wales")
    assert not governing_law_correct("see clause", "Texas")
    assert not governing_law_correct("", "Texas")


def test_a_chunk_holds_an_excerpt_when_they_share_an_eight_word_run_despite_line_breaks():
    excerpt = "This Agreement shall be governed by the laws of the State of Texas."
    chunk = "12. GOVERNING LAW\nThis Agreement shall be governed by the\nlaws of the State of Texas, without regard"
    assert shares_passage(excerpt, chunk)
    assert not shares_passage(excerpt, "This Agreement may be assigned by either party with consent of the other.")
    assert shares_passage("Delaware", "laws of Delaware")  # shorter than the run: the whole excerpt
    assert not shares_passage("", "anything")


def test_negated_topics_swap_meets_and_deviates_but_not_missing():
    assert gold_position("Entailment", False) == "meets"
    assert gold_position("Contradiction", False) == "deviates"
    assert gold_position("Entailment", True) == "deviates"
    assert gold_position("Contradiction", True) == "meets"
    assert gold_position("NotMentioned", True) == gold_position("NotMentioned", False) == "missing"


def test_plain_answers_parse_to_choices():
    assert parse_yes_no("Yes, the Recipient shall return all materials [1].") == "Entailment"
    assert parse_yes_no("No. The agreement permits copies.") == "Contradiction"
    assert parse_yes_no("The documents provided do not answer it.") == "NotMentioned"
    assert parse_yes_no("This is not mentioned in the agreement.") == "NotMentioned"
    assert parse_yes_no("The Recipient may disclose to advisers.") is None


def test_spans_overlap_only_when_they_share_a_character():
    assert overlaps((10, 20), 19, 30) and overlaps((10, 20), 0, 11)
    assert not overlaps((10, 20), 20, 30) and not overlaps((10, 20), 0, 10)


def test_accuracy_confusion_and_majority():
    pairs = [("meets", "meets"), ("meets", "missing"), ("missing", "missing"), ("deviates", "meets")]
    assert accuracy(pairs) == 0.5
    assert accuracy([]) is None
    assert confusion(pairs) == {"meets": {"meets": 1, "missing": 1}, "missing": {"missing": 1}, "deviates": {"meets": 1}}
    assert majority_accuracy(["meets", "meets", "missing"]) == ("meets", 0.6667)


def test_a_cut_short_run_is_summarised_from_its_logged_rows(tmp_path):
    import json

    from benchmarks.contract_review import from_rows

    law = {"contract": "a.pdf", "category": "Governing Law", "label_pages": [3], "label_answer": "Texas",
           "found": True, "page": 3, "on_label_page": True, "holds_excerpt": True, "quote_verbatim": True,
           "answer": "Texas", "correct": True,
           "ask": {"answer": "Delaware", "cited_pages": [1], "on_label_page": False, "holds_excerpt": False,
                   "correct": False}}
    assign = {**law, "category": "Anti-Assignment", "label_pages": [2], "found": False, "on_label_page": False,
              "holds_excerpt": False, "quote_verbatim": None, "answer": "",
              "ask": {"answer": "", "cited_pages": [2], "on_label_page": True, "holds_excerpt": True}}
    del assign["correct"]
    (tmp_path / "rows-cuad.jsonl").write_text("\n".join(json.dumps(r) for r in (law, assign)))
    nli = {"document": "n.pdf", "topic": "survival", "gold": "meets", "position": "deviates", "spans": 2,
           "spans_hit": 1, "ask": {"position": "meets", "spans_hit": 0}}
    (tmp_path / "rows-nli.jsonl").write_text(json.dumps(nli))
    out = from_rows(tmp_path)
    assert out["cuad"]["rows"] == 2 and out["cuad"]["documents"] == 1
    assert out["cuad"]["product"]["page_recall"] == 0.5 and out["cuad"]["ask"]["page_recall"] == 0.5
    assert out["cuad"]["product"]["governing_law_accuracy"] == 1.0 and out["cuad"]["ask"]["governing_law_accuracy"] == 0.0
    assert out["contractnli"]["product"]["accuracy"] == 0.0 and out["contractnli"]["ask"]["accuracy"] == 1.0
    assert out["contractnli"]["product"]["evidence_span_recall"] == 0.5
