
6205256205002022"resident0B
income.totalàÉìÔÜB
expense.totalà”©éAB
expense.benefit şŒã@B!
expense.benefit.inpatientàãˆÆ-B*
"expense.benefit.outpatient_generalÀš„B
budget.expense€öò¶J
benefit_shareâ™J
current_balance€µÃëšJ
expense_budget_rate°Š!R
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
contribution_policyR
budget_incomeR
budget_expenseR
premium_shareR
benefit_shareR
other_expense_shareR
payment_timelinessR

interestR
inpatient_reimbursementR
outpatient_reimbursementR
current_balanceØR
sustainabilityR
satisfactionR	
honoursXØbpoorj€
total_mismatchnexpense.total åŸºé‡‘æ”¯å‡ºåˆè®¡ 88,345,900.00 differs from the sum of its parts 86,938,500.00 by 1,407,400.00jÙ
score_missingÇthe unit gave no score for 16 item(s): policy_formulation, decision_process, management_system, budget_management, performance_management, policy_execution, organization, financial_management, fund_supervision, risk_prevention, contribution_policy, premium_share, benefit_share, other_expense_share, payment_timeliness, honoursr620525x€