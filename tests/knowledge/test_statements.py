"""Recognising the primary financial statements by their titles, as text extraction gives them."""
from __future__ import annotations

from agents.knowledge.statements import (BALANCE, CASH_FLOW, EQUITY, INCOME, asked_statements, page_statement,
                                         primary_statements)

FIGURES = "\n".join(f"Line item {i}\n$ {1000 + 37 * i:,} $ {900 + 29 * i:,}" for i in range(20))


def test_titles_are_recognised_with_or_without_the_spaces_extraction_drops():
    assert page_statement("Table of Contents\nACME INC.\nCONSOLIDATED BALANCE SHEETS\n(in millions)\n" + FIGURES) == BALANCE
    assert page_statement("ConsolidatedStatementsofOperations\nIn millions\n" + FIGURES) == INCOME
    assert page_statement("MGM\nRESORTS\nCONSOLIDATED\nSTATEMENTS\nOF\n\nCASH FLOWS\n" + FIGURES) == CASH_FLOW
    assert page_statement("Consolidated Statement of Income\nPepsiCo, Inc.\n" + FIGURES) == INCOME
    assert page_statement("Condensed Consolidated Statement of Earnings\n" + FIGURES) == INCOME
    assert page_statement("CONSOLIDATED STATEMENTS OF SHAREHOLDERS\u2019 EQUITY\n" + FIGURES) == EQUITY
    assert page_statement("Consolidated Statements of Financial Position\n" + FIGURES) == BALANCE


def test_pages_that_only_name_a_statement_are_not_statements():
    index = ("Index to Consolidated Financial Statements\nConsolidated Balance Sheets 52\n"
             "Consolidated Statements of Operations 53\nConsolidated Statements of Cash Flows 55\n" + FIGURES)
    assert page_statement(index) is None
    prose = "Consolidated Balance Sheets\nThe balance sheet shows our liquidity improved during the year."
    assert page_statement(prose) is None  # a title over prose, not a table of figures
    late = "Liquidity\n" + "We discuss cash. " * 40 + "See the consolidated statements of cash flows.\n" + FIGURES
    assert page_statement(late) is None  # a cross-reference far below the top of the page
    assert page_statement("Consolidated Statements of Comprehensive Income\n" + FIGURES) is None


def test_questions_name_statements_the_ways_analysts_do():
    assert asked_statements("Using the cash flow statement, what was capex?") == {CASH_FLOW}
    assert asked_statements("from the statement of income and the statement of financial position") == {INCOME, BALANCE}
    assert asked_statements("Basing your judgments off of the balance sheet, what is AP?") == {BALANCE}
    assert asked_statements("Per the P&L, what was revenue?") == {INCOME}
    assert asked_statements("Who are the primary customers of Boeing?") == set()


def test_the_tightest_run_of_core_statements_is_primary_and_look_alikes_in_the_notes_drop():
    labels = {37: CASH_FLOW, 61: BALANCE, 62: INCOME, 64: EQUITY, 65: CASH_FLOW, 81: BALANCE, 102: INCOME}
    assert primary_statements(labels) == {61: BALANCE, 62: INCOME, 64: EQUITY, 65: CASH_FLOW}
    release = {10: INCOME, 11: INCOME}  # an earnings release without a full set keeps all
    assert primary_statements(release) == release
