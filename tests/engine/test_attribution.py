from agents.domain.library import Chunk, Passage
from agents.engine.attribution import SentenceCiter, best_passage


def p(text):
    return Passage(Chunk("c", "d", "m", 1, 0, len(text), text, 10), "a.pdf", "h", 0.1)


PASSAGES = [p("The fees are fixed at GBP 18,500 plus VAT."), p("The agreement is governed by the laws of Scotland.")]


def test_sentence_goes_to_the_passage_it_shares_words_with():
    assert best_passage("It is governed by Scottish law, the laws of Scotland.", PASSAGES) == 2
    assert best_passage("Nothing in common here at all.", PASSAGES) is None


def test_markers_are_inserted_at_sentence_ends_while_streaming():
    citer = SentenceCiter(PASSAGES)
    pieces = ["The fees", " are GBP", " 18,500.", " It is governed", " by the laws of Scotland."]
    out = ""
    for piece in pieces:
        out += citer.feed(piece) + piece
    out += citer.finish()
    assert out == "The fees are GBP 18,500. [1] It is governed by the laws of Scotland. [2]"
    assert citer.text == out


def test_a_sentence_the_model_cited_itself_gets_no_second_marker():
    citer = SentenceCiter(PASSAGES)
    for piece in ["Fees are GBP 18,500 [1].", " Done"]:
        citer.feed(piece)
    citer.finish()
    assert citer.text.count("[1]") == 1
