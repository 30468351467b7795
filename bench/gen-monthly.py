#!/usr/bin/env python3
"""Writes N years of monthly reports of one unit in the import format of
SPEC 2.1 (about 45 rows a month), for timing `county-agent submit`.

    bench/gen-monthly.py --years 200 --unit 510900 > big.csv
    time county-agent submit --unit 510900 --data /tmp/agent big.csv

Months run from 1900-01 to the last month of last year, for each of the
four funds in turn, so that every report is one the city accepts (at most
about 224,000 rows a unit); --rows N gives at least N rows. --future goes
on past this year up to 9999 (submit then refuses the file for its periods
that have not begun, after reading and checking every row: a measure of
import alone, for files of a million rows).
"""
import argparse
import datetime
import sys

# (item, base value in fen) of a month; parents equal the sum of their children.
MONEY = [
    ("income.premium", 16346078100),
    ("income.subsidy.central", 16684992000),
    ("income.subsidy.provincial", 5561664000),
    ("income.subsidy.city", 2780832000),
    ("income.subsidy.county", 2780832000),
    ("income.interest", 165705700),
    ("income.other", 31576700),
    ("expense.benefit.inpatient", 30111196500),
    ("expense.benefit.outpatient_chronic", 3910545000),
    ("expense.benefit.outpatient_general", 2476678500),
    ("expense.other", 3023900),
]
SCORES = ["policy_formulation", "decision_process", "management_system", "budget_management",
          "performance_management", "policy_execution", "organization", "financial_management",
          "fund_supervision", "risk_prevention", "contribution_policy", "premium_share",
          "benefit_share", "other_expense_share", "payment_timeliness", "honours"]


def yuan(fen):
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)


def month_rows(unit, period, fund, k):
    v = {code: base // 12 + (k * 7919 + i * 104729) % 100000 for i, (code, base) in enumerate(MONEY)}
    subsidy = sum(v[c] for c in v if c.startswith("income.subsidy."))
    benefit = sum(v[c] for c in v if c.startswith("expense.benefit."))
    income = v["income.premium"] + subsidy + v["income.interest"] + v["income.other"]
    expense = benefit + v["expense.other"]
    opening = 34716949500 + k * 1000
    rows = [("balance.opening", yuan(opening), "yuan", "")]
    rows += [(c, yuan(x), "yuan", "") for c, x in v.items()]
    rows += [("income.subsidy", yuan(subsidy), "yuan", ""), ("income.total", yuan(income), "yuan", ""),
             ("expense.benefit", yuan(benefit), "yuan", ""), ("expense.total", yuan(expense), "yuan", ""),
             ("balance.closing", yuan(opening + income - expense), "yuan", ""),
             ("stat.enrolled", "434505", "person", ""), ("stat.population", "494142", "person", ""),
             ("ind.inpatient_reimbursement", "72.77", "%", ">=70"),
             ("ind.satisfaction", "91.%02d" % (k % 100), "%", ">=90")]
    rows += [("score." + s, str((i + k) % 2), "points", "") for i, s in enumerate(SCORES)]
    return ["%s,%s,%s,%s,%s,%s,%s\n" % (unit, period, fund, c, val, uom, tgt)
            for c, val, uom, tgt in rows]


FUNDS = ["resident", "employee", "maternity", "dept"]


def periods(future):
    """Yields (period, fund): months of begun years fund by fund, then (with
    future) the months of the years after, resident."""
    last = datetime.date.today().year - 1
    for fund in FUNDS:
        for year in range(1900, last + 1):
            for month in range(1, 13):
                yield "%d-%02d" % (year, month), fund
    if future:
        for year in range(last + 1, 10000):
            for month in range(1, 13):
                yield "%d-%02d" % (year, month), "resident"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, default=25, help="years of monthly reports of one fund")
    ap.add_argument("--rows", type=int, help="at least this many rows (overrides --years)")
    ap.add_argument("--future", action="store_true", help="go on into periods not yet begun")
    ap.add_argument("--unit", default="510900")
    a = ap.parse_args()
    per_month = len(month_rows(a.unit, "1900-01", "resident", 0))
    reports = 12 * a.years if not a.rows else -(-a.rows // per_month)
    out = sys.stdout
    out.write("unit,period,fund,item,value,unit_of_measure,target\n")
    k = 0
    for period, fund in periods(a.future):
        if k == reports:
            break
        out.writelines(month_rows(a.unit, period, fund, k))
        k += 1
    if k < reports:
        sys.exit("only %d reports of periods that have begun: give --future for more" % k)


if __name__ == "__main__":
    main()
