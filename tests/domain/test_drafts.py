from agents.domain.drafts import Citation, Section, content_hash


def _section(body="The clause is fine [1]."):
    cite = Citation(1, "doc:0", "doc", "a.pdf", "h" * 64, 2, 10, 50, "quoted text")
    return Section("law", "Governing law", body, (cite,))


def test_content_hash_is_stable_and_sensitive_to_every_character():
    a = content_hash("Memo", (_section(),))
    assert a == content_hash("Memo", (_section(),))
    assert a != content_hash("Memo", (_section("The clause is fine [1]!"),))
    assert a != content_hash("Memo ", (_section(),))
    assert len(a) == 64
