#!/usr/bin/python3
"""Reads a workbook the product wrote back with openpyxl and compares it,
cell by cell, with the JSON the same query prints (run with /usr/bin/python3:
Debian's python3-openpyxl).

    xlsxcheck.py eval   BOOK.xlsx EVAL.json            (show, pool)
    xlsxcheck.py rank   BOOK.xlsx CITY.json COUNTY.json
    xlsxcheck.py city-status  BOOK.xlsx STATUS.json
    xlsxcheck.py agent-status BOOK.xlsx STATUS.json

Money must equal the JSON's yuan string to the fen and carry the format
#,##0.00; rates are the JSON's percentage / 100 with format 0.00%; scores
carry 0.00. Every sheet has Chinese headers and its header row frozen; the
sheet 说明 says the period and fund. Prints each difference; exit 1 if any.
"""
import json
import sys
from decimal import Decimal

import openpyxl

PERCENT = {"income_budget_rate", "expense_budget_rate", "premium_share", "benefit_share",
           "other_expense_share", "enrollment_rate", "interest_yield",
           "inpatient_reimbursement", "outpatient_reimbursement", "satisfaction"}
MONEY = {"current_balance", "subsidy_per_capita"}
FUNDS = {"resident": "城乡居民基本医疗保险", "employee": "职工基本医疗保险",
         "maternity": "生育保险", "dept": "部门整体支出"}

failures = []


def fail(text):
    failures.append(text)


def cjk(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in str(text))


def rows(ws):
    return [[c for c in r] for r in ws.iter_rows(min_row=2) if any(c.value is not None for c in r)]


def approval(a):
    """The text a workbook gives an approval object (or None when nobody)."""
    parts = ["%s %s %s" % (name, a[level]["by"], a[level]["at"])
             for level, name in (("city", "市"), ("province", "省")) if a and a.get(level)]
    return "；".join(parts) or None


def check_sheet(ws):
    if ws.freeze_panes != "A2":
        fail("%s: header row not frozen (%s)" % (ws.title, ws.freeze_panes))
    headers = [c.value for c in ws[1] if c.value is not None]
    if not headers or not all(cjk(h) for h in headers):
        fail("%s: headers not Chinese: %s" % (ws.title, headers))
    for col, letter in enumerate("ABCDEFG"[:len(headers)]):
        width = ws.column_dimensions[letter].width
        if width is None or width < 2 * len(headers[col]):
            fail("%s: column %s (%s) is %s wide" % (ws.title, letter, headers[col], width))


def same_number(cell, want, fmt, what):
    if want is None:
        if cell.value is not None:
            fail("%s: %r, expected empty" % (what, cell.value))
        return
    if not isinstance(cell.value, (int, float)):
        fail("%s: %r is not a number" % (what, cell.value))
        return
    if Decimal(repr(cell.value)).quantize(Decimal("0.0001")) != Decimal(want).quantize(Decimal("0.0001")):
        fail("%s: %r, expected %s" % (what, cell.value, want))
    if cell.number_format != fmt:
        fail("%s: format %r, expected %r" % (what, cell.number_format, fmt))


def about(wb, period, fund):
    if "说明" not in wb.sheetnames:
        fail("no sheet 说明")
        return
    info = {r[0].value: r[1].value for r in rows(wb["说明"])}
    for key in ("期间", "基金", "层级", "数据来源", "生成程序", "生成时间（UTC）"):
        if not info.get(key):
            fail("说明 lacks %s" % key)
    if period and info.get("期间") != period:
        fail("说明: 期间 %r, expected %r" % (info.get("期间"), period))
    if fund and info.get("基金") != FUNDS[fund]:
        fail("说明: 基金 %r, expected %r" % (info.get("基金"), FUNDS[fund]))


def check_eval(wb, doc):
    items = rows(wb["收支"])
    if [r[0].value for r in items] != list(doc["items"]):
        fail("收支: codes %s, expected %s" % ([r[0].value for r in items], list(doc["items"])))
    for r in items:
        same_number(r[2], Decimal(doc["items"].get(r[0].value, "0")), "#,##0.00", "收支 " + r[0].value)
    inds = rows(wb["指标"])
    if [r[0].value for r in inds] != list(doc["indicators"]):
        fail("指标: codes differ")
    for r in inds:
        v = doc["indicators"].get(r[0].value)
        if isinstance(v, str):
            if r[2].value != v:
                fail("指标 %s: %r, expected %r" % (r[0].value, r[2].value, v))
        elif r[0].value in PERCENT:
            same_number(r[2], Decimal(repr(v)) / 100, "0.00%", "指标 " + r[0].value)
        elif r[0].value in MONEY:
            same_number(r[2], Decimal(repr(v)), "#,##0.00", "指标 " + r[0].value)
        else:
            same_number(r[2], Decimal(repr(v)), "0.00", "指标 " + r[0].value)
    scores = rows(wb["得分"])
    if [r[0].value for r in scores] != list(doc["scores"]):
        fail("得分: codes differ")
    for r in scores:
        same_number(r[2], Decimal(repr(doc["scores"][r[0].value])), "0.00", "得分 " + r[0].value)
    warnings = [[r[0].value, r[1].value] for r in rows(wb["警告"])]
    if warnings != [[w["code"], w["message"]] for w in doc["warnings"]]:
        fail("警告: %s" % warnings)
    summary = {r[0].value: r[1] for r in rows(wb["概要"])}
    if summary["代码"].value != doc["code"] or summary["期间"].value != doc["period"]:
        fail("概要: code or period differ")
    if summary["审核"].value != (approval(doc.get("approval")) or "未审核"):
        fail("概要 审核: %r" % summary["审核"].value)
    total = doc["total"]
    same_number(summary["总分"], None if total is None else Decimal(repr(total)), "0.00", "概要 总分")
    about(wb, doc["period"], doc["fund"])


def check_rank(wb, docs):
    for name, doc in zip(("城市排名", "区县排名"), docs):
        got = rows(wb[name])
        if len(got) != len(doc["rows"]):
            fail("%s: %d rows, expected %d" % (name, len(got), len(doc["rows"])))
        for r, want in zip(got, doc["rows"]):
            if [r[0].value, r[1].value, r[2].value] != [want["rank"], want["code"], want["name"]]:
                fail("%s: row %s, expected %s" % (name, [c.value for c in r], want))
            if r[4].value != approval(want.get("approval")):
                fail("%s: approval %r, expected %r" % (name, r[4].value, approval(want.get("approval"))))
            v = want["value"]
            by = doc["by"]
            if by in PERCENT:
                same_number(r[3], None if v is None else Decimal(repr(v)) / 100, "0.00%", name)
            else:
                same_number(r[3], None if v is None else Decimal(repr(v)),
                            "#,##0.00" if by in MONEY else "0.00", name)
    about(wb, docs[0]["period"], docs[0]["fund"])


def check_city_status(wb, doc):
    got = [[c.value for c in r][:8] for r in rows(wb["报告"])]
    want = [[r["unit"], r["name"], r["period"], r["fund"], r["revision"], r["received_at"],
             "按时" if r["on_time"] else "逾期", approval(r.get("approval"))]
            for r in doc["reports"]]
    if got != want:
        fail("报告: %s, expected %s" % (got, want))
    got = [[c.value for c in r][:4] for r in rows(wb["统筹"])]
    want = [[p["period"], p["fund"], "是" if p["complete"] else "否",
             ", ".join(p["missing"]) or None] for p in doc["pools"]]
    if got != want:
        fail("统筹: %s, expected %s" % (got, want))
    about(wb, None, None)


def check_agent_status(wb, doc):
    got = [[c.value for c in r][:6] for r in rows(wb["报告"])]
    want = [[r["unit"], r["period"], r["fund"], r["revision"], r["state"], r["reason"] or None]
            for r in doc["reports"]]
    if got != want:
        fail("报告: %s, expected %s" % (got, want))
    about(wb, None, None)


def main():
    kind, path, docs = sys.argv[1], sys.argv[2], [json.load(open(p)) for p in sys.argv[3:]]
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        check_sheet(ws)
    {"eval": lambda: check_eval(wb, docs[0]), "rank": lambda: check_rank(wb, docs),
     "city-status": lambda: check_city_status(wb, docs[0]),
     "agent-status": lambda: check_agent_status(wb, docs[0])}[kind]()
    for f in failures:
        print("FAIL " + f)
    if not failures:
        print("ok   %s matches the JSON cell by cell" % path)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
