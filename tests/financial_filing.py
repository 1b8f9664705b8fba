"""A small 10-K-like filing: cover, income statement, balance sheet, cash flow statement and a
note, in millions, two year columns, negatives in parentheses. The figures add up."""
from __future__ import annotations

from pathlib import Path

from pdfgen import write_pdf

COVER = ("UNITED STATES SECURITIES AND EXCHANGE COMMISSION\nFORM 10-K\nHarbor Instruments Inc.\n"
         "Annual report for the fiscal year ended December 31, 2024.")
INCOME = """HARBOR INSTRUMENTS INC.
CONSOLIDATED STATEMENTS OF OPERATIONS
(in millions, except per share data)
Year Ended December 31,
2024 2023
Net sales $ 12,500 $ 11,000
Cost of sales 7,500 6,800
Gross profit 5,000 4,200
Selling, general and administrative 2,900 2,600
Research and development 523 600
Operating income 1,577 1,000
Interest expense (370) (350)
Other income, net 43 50
Income before income taxes 1,250 700
Provision for income taxes (250) (140)
Net income $ 1,000 $ 560
Basic earnings per share $ 2.50 $ 1.40
Diluted earnings per share $ 2.45 $ 1.38
Weighted-average shares outstanding 400 400"""
BALANCE = """HARBOR INSTRUMENTS INC.
CONSOLIDATED BALANCE SHEETS
(in millions)
December 31,
2024 2023
ASSETS
Current assets:
Cash and cash equivalents $ 2,100 $ 1,800
Accounts receivable, net 1,400 1,300
Inventories 1,900 1,700
Total current assets 5,400 4,800
Property and equipment, net 6,200 5,900
Goodwill 1,000 1,000
Total assets $ 12,600 $ 11,700
LIABILITIES AND STOCKHOLDERS' EQUITY
Current liabilities:
Accounts payable $ 1,100 $ 1,000
Short-term borrowings 300 250
Current portion of long-term debt 200 200
Accrued liabilities 900 850
Total current liabilities 2,500 2,300
Long-term debt 4,000 4,200
Other long-term liabilities 600 500
Total liabilities 7,100 7,000
Total stockholders' equity 5,500 4,700
Total liabilities and stockholders' equity $ 12,600 $ 11,700"""
CASH_FLOW = """HARBOR INSTRUMENTS INC.
CONSOLIDATED STATEMENTS OF CASH FLOWS
(in millions)
Year Ended December 31,
2024 2023
Operating activities:
Net income $ 1,000 $ 560
Depreciation and amortization 450 420
Changes in inventories (200) (150)
Changes in accounts payable 100 80
Net cash provided by operating activities 1,350 910
Investing activities:
Purchases of property and equipment (750) (600)
Acquisitions, net of cash acquired — (120)
Net cash used in investing activities (750) (720)
Financing activities:
Repayments of long-term debt (200) (150)
Dividends paid (100) (90)
Net cash used in financing activities (300) (240)
Net increase (decrease) in cash and cash equivalents 300 (50)
Cash and cash equivalents, beginning of year 1,800 1,850
Cash and cash equivalents, end of year $ 2,100 $ 1,800"""
NOTE = ("NOTE 5 - DEBT\nThe Company's revolving credit facility of $9,999 million was undrawn at year end. "
        "Long-term debt matures between 2026 and 2031.")
PAGES = [COVER, INCOME, BALANCE, CASH_FLOW, NOTE]
INCOME_PAGE, BALANCE_PAGE, CASH_FLOW_PAGE = 2, 3, 4

# key -> (page, 2024 as printed, 2023 as printed, the line as printed)
EXPECTED = {
    "revenue": (INCOME_PAGE, "12,500", "11,000", "Net sales $ 12,500 $ 11,000"),
    "cost_of_revenue": (INCOME_PAGE, "7,500", "6,800", "Cost of sales 7,500 6,800"),
    "operating_income": (INCOME_PAGE, "1,577", "1,000", "Operating income 1,577 1,000"),
    "interest_expense": (INCOME_PAGE, "(370)", "(350)", "Interest expense (370) (350)"),
    "net_income": (INCOME_PAGE, "1,000", "560", "Net income $ 1,000 $ 560"),
    "total_assets": (BALANCE_PAGE, "12,600", "11,700", "Total assets $ 12,600 $ 11,700"),
    "current_assets": (BALANCE_PAGE, "5,400", "4,800", "Total current assets 5,400 4,800"),
    "cash": (BALANCE_PAGE, "2,100", "1,800", "Cash and cash equivalents $ 2,100 $ 1,800"),
    "inventory": (BALANCE_PAGE, "1,900", "1,700", "Inventories 1,900 1,700"),
    "ppe_net": (BALANCE_PAGE, "6,200", "5,900", "Property and equipment, net 6,200 5,900"),
    "total_liabilities": (BALANCE_PAGE, "7,100", "7,000", "Total liabilities 7,100 7,000"),
    "current_liabilities": (BALANCE_PAGE, "2,500", "2,300", "Total current liabilities 2,500 2,300"),
    "accounts_payable": (BALANCE_PAGE, "1,100", "1,000", "Accounts payable $ 1,100 $ 1,000"),
    "short_term_debt": (BALANCE_PAGE, "300", "250", "Short-term borrowings 300 250"),
    "current_debt": (BALANCE_PAGE, "200", "200", "Current portion of long-term debt 200 200"),
    "long_term_debt": (BALANCE_PAGE, "4,000", "4,200", "Long-term debt 4,000 4,200"),
    "total_equity": (BALANCE_PAGE, "5,500", "4,700", "Total stockholders' equity 5,500 4,700"),
    "operating_cash_flow": (CASH_FLOW_PAGE, "1,350", "910", "Net cash provided by operating activities 1,350 910"),
    "capex": (CASH_FLOW_PAGE, "(750)", "(600)", "Purchases of property and equipment (750) (600)"),
    "depreciation_amortization": (CASH_FLOW_PAGE, "450", "420", "Depreciation and amortization 450 420"),
}


def write_filing(path: Path) -> Path:
    return write_pdf(path, PAGES)
