„

5104005104002023"resident0B
income.totalÀ••û‹B
expense.total ¾ÄˆäB
budget.incomeà•ÏˆB
budget.expenseÀî™´ìJ
benefit_shareø’J
current_balance ×Ðò'J
enrollment_rate°ŠJ
expense_budget_rateÎ™J
income_budget_rate J
inpatient_reimbursementÈsJ
interest_yieldÎJ
months_payableÐJ
other_expense_shareJ
outpatient_reimbursement„yJ
premium_share„8J

risk_levellevel3J
satisfaction™J
supervision_score˜uR
policy_formulationèR
decision_processØR
management_systemØR
budget_management R
performance_managementèR
policy_executionØR
organizationÀR
financial_management R
fund_supervision°	R
risk_preventionÈR

enrollmentR
contribution_policyÐR
budget_income R
budget_expense R
premium_shareÈR
benefit_shareÈR
other_expense_shareÈR
payment_timelinessèR
interestØR
inpatient_reimbursementèR
outpatient_reimbursementèR
current_balanceØR
sustainabilityR
satisfactionèR
honoursèX€–b	excellentjC
target_missed2ind.enrollment_rate 88.56 % misses its target >=95jB
target_missed1ind.interest_yield 1.03 % misses its target >=1.1jX
score_total_mismatch@declared score.total 95.00 differs from the computed total 96.00r510400x€