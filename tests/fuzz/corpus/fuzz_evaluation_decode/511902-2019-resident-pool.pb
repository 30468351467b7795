
5119005119002019"resident(0B
balance.openingŞµ°ÁKB
balance.closing¸Ô¢ô‘B
income.totalœ²ˆ©ïB
expense.totaløÍçÀ¹B
expense.benefitøÍçÀ¹B"
expense.benefit.inpatient–ÌÔƒB*
"expense.benefit.outpatient_chronic¼ı¿ÔB*
"expense.benefit.outpatient_general¦„ÓèB
budget.income€–Ô„ÙJ
benefit_share œJ
current_balance¤ä èµJ
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
honoursXˆbpoorj<
pool_incomplete)1 known unit(s) have not reported: 511900jˆ
transfer_unreconciledothe counties' expense.upper_remit total 149,541,236.21 yuan but the å¸‚æœ¬çº§'s income.lower_remit is 0.00 yuanjõ
score_missingãneither the å¸‚æœ¬çº§ nor any county gave no score for 16 item(s): policy_formulation, decision_process, management_system, budget_management, performance_management, policy_execution, organization, financial_management, fund_supervision, risk_prevention, contribution_policy, premium_share, benefit_share, other_expense_share, payment_timeliness, honoursr511902€