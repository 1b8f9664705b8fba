"""Template files: the bundled ones are valid, and a broken one is reported at its line."""
from pathlib import Path

import pytest

from agents.cli.templates_cli import check_file
from agents.runtime.resources import resource
from agents.workproducts.templates import TemplateError, available, parse_template

GOOD = '''id = "memo"
title = "Memo"
version = "1"
domain = "tax"
description = "d"

[[inputs]]
name = "question"
type = "text"
label = "Question"

[[sections]]
key = "issue"
heading = "Issue"
text = "{question}"

[[sections]]
key = "analysis"
heading = "Analysis"
queries = ["{question}"]
prompt = "Answer {question} from {evidence}"
'''


def problem(text: str) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        parse_template(text, "firm.toml")
    return info.value


def test_every_bundled_template_passes_the_check():
    found = available()
    assert {"contract-review", "dd-clause-table"} <= set(found)
    for path in found.values():
        assert check_file(path) == [], path


def test_good_template_parses():
    t = parse_template(GOOD)
    assert [s.key for s in t.sections] == ["issue", "analysis"] and t.input("question").type == "text"


def test_syntax_error_names_its_line():
    err = problem(GOOD.replace('heading = "Analysis"', "heading = Analysis"))
    assert err.line == 19 and "not valid TOML" in str(err) and str(err).startswith("firm.toml:19:")


def test_unknown_key_in_a_section_names_its_own_line():
    err = problem(GOOD.replace('heading = "Analysis"', 'heading = "Analysis"\nheadline = "x"'))
    assert err.line == 20 and "sections[1].headline: unknown key" in str(err)


def test_bad_value_names_the_key_line():
    err = problem(GOOD.replace('type = "text"', 'type = "txt"'))
    assert err.line == 9 and "inputs[0].type" in str(err)


def test_for_each_must_name_an_earlier_section():
    err = problem(GOOD.replace('queries = ["{question}"]', 'for_each = "later"\nqueries = ["{question}"]'))
    assert err.line == 20 and "not an earlier section" in str(err)


def test_unbalanced_placeholder_is_caught_before_it_runs():
    err = problem(GOOD.replace('prompt = "Answer {question} from {evidence}"', 'prompt = "Answer {question"'))
    assert err.line == 21 and "bad placeholder" in str(err)


def test_scope_must_be_the_matter_or_a_document_input():
    err = problem(GOOD.replace('queries = ["{question}"]', 'scope = "question"\nqueries = ["{question}"]'))
    assert "scope" in str(err) and err.line == 20


def test_duplicate_section_keys_are_refused():
    assert "defined twice" in str(problem(GOOD.replace('key = "analysis"', 'key = "issue"')))


def test_unknown_step_names_are_reported_with_their_line(tmp_path: Path):
    path = tmp_path / "t.toml"
    path.write_text(GOOD.replace('queries = ["{question}"]', 'compute = "flux.varainces"\nqueries = ["{question}"]'))
    [(line, message)] = check_file(path)
    assert line == 20 and "unknown computation 'flux.varainces'" in message


def test_every_problem_is_listed(tmp_path: Path):
    path = tmp_path / "t.toml"
    path.write_text(GOOD.replace('domain = "tax"', 'domain = "x"').replace('label = "Question"', ""))
    assert len(check_file(path)) == 2


def test_firm_template_with_a_bundled_id_replaces_it(tmp_path: Path):
    (tmp_path / "mine.toml").write_text(resource("workproducts", "contract_review.toml").read_text()
                                        .replace('version = "2.0"', 'version = "9.9-firm"'))
    assert available(tmp_path)["contract-review"] == tmp_path / "mine.toml"
