from agents.domain.library import Page
from agents.knowledge.chunking import chunk_page


def words(text: str) -> int:
    return len(text.split())


PARAGRAPH = " ".join(f"Sentence number {i} says something about clause {i}." for i in range(60))


def test_chunks_respect_the_token_limit_and_point_into_the_page():
    page = Page(3, PARAGRAPH)
    spans = chunk_page(page, words, max_tokens=40)
    assert len(spans) > 5
    for s in spans:
        assert s.tokens <= 40
        assert s.page == 3
        assert page.text[s.start:s.end] == s.text


def test_consecutive_chunks_overlap_by_a_sentence_and_cover_everything():
    page = Page(1, PARAGRAPH)
    spans = chunk_page(page, words, max_tokens=40)
    for a, b in zip(spans, spans[1:]):
        assert b.start < a.end, "neighbouring chunks share the boundary sentence"
    assert spans[0].start == 0 and spans[-1].end == len(PARAGRAPH.rstrip())


def test_chunks_end_at_sentence_boundaries():
    spans = chunk_page(Page(1, PARAGRAPH), words, max_tokens=40)
    assert all(s.text.endswith(".") for s in spans)


def test_one_enormous_sentence_is_split_by_words_and_a_giant_word_by_characters():
    text = "word " * 500 + "x" * 5000
    chars = lambda t: len(t) // 4 + 1  # noqa: E731 - a counter where long words cost many tokens
    spans = chunk_page(Page(1, text), chars, max_tokens=50)
    assert all(s.tokens <= 50 for s in spans)
    assert "".join(s.text for s in spans).replace(" ", "").count("x") == 5000


def test_blank_page_gives_no_chunks():
    assert chunk_page(Page(1, "  \n\n  "), words) == []
