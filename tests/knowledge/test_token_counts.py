"""The fast token counter used by chunking agrees with the model's own tokenizer call."""
from __future__ import annotations

from agents.domain.library import Page
from agents.knowledge.chunking import chunk_page
from agents.knowledge.embedder import Embedder

TEXTS = ["", "Revenue rose 12.6% to $4,210 million.", "Section 9.2 (Limitation of Liability)\n\nNeither party",
         "word " * 700, "naïve café — “quoted” ½ €1,000"]


def test_batch_and_single_counts_equal_the_transformers_tokenizer_without_truncation():
    embedder = Embedder()
    tokenizer = embedder._load().tokenizer
    expected = [len(tokenizer(t, add_special_tokens=True, truncation=False, verbose=False)["input_ids"]) for t in TEXTS]
    assert expected[3] > 700  # a long text is counted whole, not cut at the model's window
    assert embedder.count_tokens_many(TEXTS) == expected
    assert [embedder.count_tokens(t) for t in TEXTS] == expected


def test_chunking_with_the_batch_counter_gives_the_same_spans():
    embedder = Embedder()
    text = "\n\n".join(f"Note {i}. The Company recognised ${i * 37:,} of revenue; see Item 7." for i in range(80))
    page = Page(4, text + " " + "x" * 3000)
    single = chunk_page(page, embedder.count_tokens, 160)
    batched = chunk_page(page, embedder.count_tokens, 160, count_many=embedder.count_tokens_many)
    assert batched == single and len(single) > 3
    assert all(s.tokens <= 160 for s in batched)
