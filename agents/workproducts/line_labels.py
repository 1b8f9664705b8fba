"""The line items a credit memo reads from a filing, and the labels filings print them under.

Each item lists its labels best first: a total before its parts ("Total revenues" before "Net
sales"), the parent's share before the consolidated figure. Patterns are written with spaces
for reading; matching removes all whitespace on both sides, because text extraction both drops
spaces and breaks words ("Purchases of property and equipm ent")."""
from __future__ import annotations

import re
from dataclasses import dataclass

from agents.knowledge.statements import BALANCE, CASH_FLOW, INCOME


@dataclass(frozen=True)
class ItemSpec:
    key: str
    name: str
    kind: str  # the statement it is printed on
    labels: tuple[re.Pattern, ...]  # full-match patterns on the normalised label, best first
    hint: re.Pattern  # words that make a line worth showing the model when no label matches


def normalise(label: str) -> str:
    text = label.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", "", text).strip(":$")


def _spec(key: str, name: str, kind: str, hint: str, *labels: str) -> ItemSpec:
    # " ?" marks an optional space for the reader; without whitespace it is nothing.
    compiled = tuple(re.compile(re.sub(r"\s+", "", p.replace(" ?", ""))) for p in labels)
    return ItemSpec(key, name, kind, compiled, re.compile(hint, re.IGNORECASE))


_OWNERS = r"(stockholders|shareholders|shareowners|owners)'? ?s?'?"
_PPE = r"property,? (plant,? )?and equipment"

SPECS: tuple[ItemSpec, ...] = (
    _spec("revenue", "Revenue", INCOME, r"revenue|sales",
          r"total (net |operating )?revenues?", r"total net sales( and revenues?)?", r"total (net )?sales and (other )?revenues?",
          r"net revenues?", r"revenues?, net", r"net sales", r"(net )?sales and (other )?revenues?", r"revenues?",
          r"sales"),
    _spec("cost_of_revenue", "Cost of revenue", INCOME, r"\bcosts?\b",
          r"total costs? of (net )?(revenues?|sales|goods sold|products sold)",
          r"costs? of (net )?(revenues?|sales|goods sold|products sold|merchandise sold|goods and services sold)"
          r"( \(.*\)|, .*)?", r"merchandise costs", r"cost of sales, buying and occupancy"),
    _spec("operating_income", "Operating income", INCOME, r"operat",
          r"(total )?operating (income|profit|earnings|loss)( ?/? ?\((loss|income)\))?",
          r"(income|earnings|loss) (\((loss|income)\) )?from operations"),
    _spec("interest_expense", "Interest expense", INCOME, r"interest",
          r"interest expense(, net)?( of .*)?", r"(net )?interest expense(, net)? and other", r"interest and debt expense",
          r"interest, net", r"interest expense \(income\),? net"),
    _spec("net_income", "Net income", INCOME, r"net (income|earnings|loss)",
          r"(consolidated )?net (income|earnings|loss)( ?/? ?\((loss|income)\))? attributable to "
          r"(?!.*(non ?-?controlling|minority|per |share)).*",
          r"net (income|earnings)( ?/? ?\((loss|income)\))? attributable to common (stock|share)holders",
          r"(consolidated )?net (income|earnings|loss)( ?/? ?\((loss|income)\))?"),
    _spec("total_assets", "Total assets", BALANCE, r"assets", r"total assets"),
    _spec("current_assets", "Current assets", BALANCE, r"current assets", r"total current assets"),
    _spec("cash", "Cash and equivalents", BALANCE, r"\bcash\b",
          r"cash and cash equivalents", r"cash and equivalents", r"cash and cash equivalents, at carrying value",
          r"cash and due from banks", r"cash"),
    _spec("inventory", "Inventory", BALANCE, r"inventor",
          r"total inventories", r"(merchandise )?inventor(y|ies)(, net)?"),
    _spec("ppe_net", "Property and equipment, net", BALANCE, r"property|equipment",
          rf"{_PPE}, net( of .*)?", rf"net {_PPE}", rf"total {_PPE}, net", r"premises and equipment, net"),
    _spec("total_liabilities", "Total liabilities", BALANCE, r"liabilities", r"total liabilities"),
    _spec("current_liabilities", "Current liabilities", BALANCE, r"current liabilities", r"total current liabilities"),
    _spec("accounts_payable", "Accounts payable", BALANCE, r"payable",
          r"accounts payable(, trade)?", r"trade (accounts )?payables?", r"accounts payable and accrued (liabilities|expenses)"),
    _spec("short_term_debt", "Short-term borrowings", BALANCE, r"borrowing|short-term|commercial paper",
          r"short-term (borrowings|debt|obligations)", r"commercial paper( and (other )?short-term (debt|borrowings))?", r"notes payable( to banks)?"),
    _spec("current_debt", "Current portion of long-term debt", BALANCE, r"current (portion|maturities)|within one year",
          r"(current portion|current maturities) of long-term (debt|borrowings)( and .*)?",
          r"long-term debt,? due within one year", r"long-term debt, current( portion)?", r"debt, current"),
    _spec("long_term_debt", "Long-term debt", BALANCE, r"long-term|debt",
          r"long-term debt(, net)?", r"long-term debt,? (excluding|less|net of) current (portion|maturities)",
          r"long-term debt, non-?current( portion)?", r"long-term borrowings", r"debt, non-?current",
          r"long-term debt and (capital|finance) lease obligations", r"debt and capital lease obligations"),
    _spec("total_equity", "Total equity", BALANCE, r"equity",
          r"total equity", rf"total {_OWNERS}equity", rf"total (?!liabilities).*{_OWNERS}equity",
          rf"total {_OWNERS}(equity )?\(deficit\)", rf"total {_OWNERS}(deficit|investment)"),
    _spec("operating_cash_flow", "Operating cash flow", CASH_FLOW, r"operating activities|operations",
          r"(net |total )?cash (?!.*discontinued)[a-z()/ ,]{0,40}operating activities( of continuing operations)?",
          r"(net )?cash (provided by|from) operations"),
    _spec("capex", "Capital expenditure", CASH_FLOW, r"capital|property|equipment",
          r"capital expenditures?(, .*)?", rf"purchases? of {_PPE}.*", rf"payments for (acquisition of )?{_PPE}.*",
          rf"additions to {_PPE}.*", r"capital spending", rf"acquisitions? of {_PPE}.*",
          rf"investments? in {_PPE}.*"),
    _spec("depreciation_amortization", "Depreciation and amortization", CASH_FLOW, r"depreciation|amortization",
          r"depreciation and amortization( expense)?", r"depreciation, amortization and (other|accretion)",
          r"depreciation, depletion and amortization", r"depreciation of property and equipment.*", r"depreciation"),
)
BY_KEY = {s.key: s for s in SPECS}
