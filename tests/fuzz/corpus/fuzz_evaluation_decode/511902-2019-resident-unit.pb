
5119025119002019"resident0B
balance.openingŞµ°ÁKB
balance.closing¸Ô¢ô‘B
income.totalœ²ˆ©ïB
expense.totalÂ“–ö¨B
expense.benefitøÍçÀ¹B"
expense.benefit.inpatient–ÌÔƒB*
"expense.benefit.outpatient_chronic¼ı¿ÔB*
"expense.benefit.outpatient_general¦„ÓèB
expense.upper_remitÊÅ®µoB
budget.income€–Ô„ÙJ
benefit_shareĞaJ
current_balanceÚò²FJ
income_budget_rate¬¦J
months_payableàJ

risk_levelnormalR
policy_formulationR
decision_processR
management_systemR
budget_managementR
performance_managementR
policy_executionR
organizationR
financial_managementR
fund_supervisionR
risk_preventionR

enrollmentR
contribution_policyR
budget_income R
budget_expenseR
premium_shareR
benefit_shareR
other_expense_shareR
payment_timelinessR

interestR
inpatient_reimbursementR
outpatient_reimbursementR
current_balanceØR
sustainabilityR
satisfactionR	
honoursXˆbpoorjÙ
score_missingÇthe unit gave no score for 16 item(s): policy_formulation, decision_process, management_system, budget_management, performance_management, policy_execution, organization, financial_management, fund_supervision, risk_prevention, contribution_policy, premium_share, benefit_share, other_expense_share, payment_timeliness, honoursr511902x€