from decimal import Decimal

import pytest

from agents.workproducts.arithmetic import compute, formula, parse_figure, plan, show


@pytest.mark.parametrize("question, operation, periods", [
    ("What is the change in operating income from 2018 to 2019?", "difference", ["2019", "2018"]),
    ("What was the change in Other in 2019 from 2018?", "difference", ["2019", "2018"]),
    ("How much did revenue increase between FY18 and FY19?", "difference", ["2019", "2018"]),
    ("What is the percentage change in Other in 2019 from 2018?", "percent_change", ["2019", "2018"]),
    ("What was the growth rate of revenue from 2017 to 2018?", "percent_change", ["2018", "2017"]),
    ("What is the average net income for 2018 and 2019?", "average", ["2018", "2019"]),
    ("What is the average Gross Profit for 2017-2019?", "average", ["2019", "2018", "2017"]),
    ("What is the sum of revenue in 2018 and 2019?", "sum", ["2018", "2019"]),
])
def test_period_questions_get_the_operation_and_one_operand_per_period(question, operation, periods):
    p = plan(question)
    assert p is not None and p.operation == operation
    assert [s.period for s in p.slots] == periods
    assert all(s.period in s.describe for s in p.slots)


def test_share_ratio_margin_and_between_items_name_both_operands():
    share = plan("What is Kyocera resale products as a percentage of total sales in 2018?")
    assert share.operation == "percent_of"
    assert [s.describe for s in share.slots] == ["Kyocera resale products in 2018", "total sales in 2018"]
    ratio = plan("What is the ratio of total assets to total liabilities in 2019?")
    assert ratio.operation == "ratio" and ratio.slots[0].describe == "total assets in 2019"
    assert ratio.slots[1].describe == "total liabilities in 2019"
    margin = plan("What is the gross margin in 2019?")
    assert margin.operation == "percent_of"
    assert [s.describe for s in margin.slots] == ["gross profit in 2019", "revenue in 2019"]
    between = plan("What was the difference between total net receivables and current net receivables?")
    assert between.operation == "difference"
    assert [s.describe for s in between.slots] == ["total net receivables", "current net receivables"]


@pytest.mark.parametrize("question", [
    "What is the amount of total sales in 2019?",
    "What were total sales in 2019 and 2018?",  # two figures, not their sum
    "In which year is the amount of total sales the largest?",
    "Why did operating income change from 2018 to 2019?",
    "What caused the increase in revenue between 2018 and 2019?",
    "What was the change in accounting policy?",
    "What is the governing law of the agreement?",
    "What is the weighted average exercise price in 2019?",
])
def test_questions_that_are_not_arithmetic_go_the_plain_path(question):
    assert plan(question) is None


def test_subject_drops_the_increase_decrease_wording_and_the_periods():
    p = plan("What is the increase / (decrease) in the FCC licenses from 2018 to 2019?")
    assert p.subject == "FCC licenses"
    assert plan("What is the percentage change in the company's 2018 and 2019 income tax expense?").subject == \
        "company's income tax expense"


@pytest.mark.parametrize("printed, value", [
    ("1,577", "1577"), ("(370)", "-370"), ("$ (1,040)", "-1040"), ("-2.2", "-2.2"), ("−42,271", "-42271"),
    ("1,577.0", "1577.0"), ("$1,496.5", "1496.5"), ("12.5%", "12.5"), ("€ 0.43", "0.43"), (".5", "0.5"),
])
def test_printed_figures_read_with_their_sign(printed, value):
    assert parse_figure(printed) == Decimal(value)


@pytest.mark.parametrize("printed", ["", "n/a", "1,57,7", "(370", "12 and 13", "2019 €m"])
def test_text_that_is_not_one_figure_is_refused(printed):
    with pytest.raises(ValueError):
        parse_figure(printed)


def test_each_operation_in_decimal_with_sensible_rounding():
    d = Decimal
    assert compute("difference", [d("44.1"), d("56.7")]) == d("-12.6")
    assert compute("difference", [d("-2235"), d("-6986")]) == d("4751")
    assert compute("percent_change", [d("44.1"), d("56.7")]) == d("-22.22")
    assert compute("percent_change", [d("-50"), d("-100")]) == d("50.00")  # less negative is an improvement
    assert compute("ratio", [d("92364"), d("336032")]) == d("0.27")
    assert compute("percent_of", [d("10.0"), d("39.9")]) == d("25.06")
    assert compute("average", [d("116.9"), d("105.9")]) == d("111.4")
    assert compute("average", [d("137347"), d("100284"), d("72849")]) == d("103493.33")
    assert compute("sum", [d("421.9"), d("422.0"), d("445.6")]) == d("1289.5")


def test_bad_operands_are_refused_with_the_reason():
    with pytest.raises(ZeroDivisionError, match="denominator is zero"):
        compute("percent_change", [Decimal(5), Decimal(0)])
    with pytest.raises(ValueError, match="two operands"):
        compute("ratio", [Decimal(5)])
    with pytest.raises(ValueError, match="unknown operation"):
        compute("median", [Decimal(5)])


def test_formula_states_the_operands_and_the_result():
    values = [Decimal(1577), Decimal(1000)]
    text = formula("difference", "operating income", ["1,577 (2019) [1]", "1,000 (2018) [1]"], values, Decimal(577))
    assert text == "Change in operating income = 1,577 (2019) [1] − 1,000 (2018) [1] = 577"
    pct = formula("percent_change", "revenue", ["1,577 (2019) [1]", "1,000 (2018) [2]"], values, Decimal("57.70"))
    assert pct == "Percentage change in revenue = (1,577 (2019) [1] − 1,000 (2018) [2]) / 1,000 (2018) [2] × 100 = 57.70%"
    assert show(Decimal("-1234567.5")) == "−1,234,567.5"
