#!/usr/bin/python3
"""Prints what browsercheck.py must find in the HTML report of a dossier
(the JSON `report --format json` writes): the league tables' rows in
order, and how many marks each chart draws, by the rules htmlreport.c
states (one bar per ranked row with a value; one segment per evaluation and
category with a non-zero score; one bar per evaluation with months_payable;
one dot per main indicator and evaluation holding it; one dot per value of
the trend).

    dossierexpect.py DOSSIER.json > EXPECT.json
"""
import json
import sys

CATEGORIES = ["decision", "process", "output", "effect", "bonus"]
MAIN = ["enrollment_rate", "income_budget_rate", "expense_budget_rate",
        "inpatient_reimbursement", "outpatient_reimbursement", "satisfaction",
        "interest_yield", "months_payable"]


def fmt(v):
    return "" if v is None else "%.2f" % (round(v * 100) / 100)


def main():
    d = json.load(open(sys.argv[1]))
    evals = d["pools"] + d["units"]
    category = {i["code"]: i["category"] for i in d["framework"]}
    tables, totals = {}, []
    for level in ("city", "county"):
        rows = d["rank"][level]["rows"]
        tables["rank-" + level] = [[r["code"], r["rank"], fmt(r["value"])] for r in rows]
        totals += [[r["code"], fmt(r["value"])] for r in rows if r["value"] is not None]
    segments = 0
    for e in evals:
        sums = {c: 0 for c in CATEGORIES}
        for item, score in e["scores"].items():
            if category.get(item) in sums:
                sums[category[item]] += round(score * 100)
        segments += sum(1 for c in CATEGORIES if sums[c] != 0)
    months = [[e["code"], fmt(e["indicators"]["months_payable"])] for e in evals
              if isinstance(e["indicators"].get("months_payable"), (int, float))]
    dots = sum(1 for code in MAIN for e in evals
               if isinstance(e["indicators"].get(code), (int, float)))
    trend = sum(1 for s in d["trend"]["series"] for p in d["periods"] if p in s["values"])
    json.dump({"tables": tables,
               "marks": {"chart-total": len(totals), "chart-category": segments,
                         "chart-months": len(months), "chart-indicators": dots,
                         "chart-trend": trend},
               "values": {"chart-total": totals, "chart-months": months}},
              sys.stdout, ensure_ascii=False, indent=1)
    print()


if __name__ == "__main__":
    main()
