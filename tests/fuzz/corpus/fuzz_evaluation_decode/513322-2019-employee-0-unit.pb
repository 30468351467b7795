
5133225133002019"employee0B
balance.closingB
income.total ğ½ô’B
income.premiumàŠåáBB
income.subsidy äÔµB
income.interestà¶B
income.transferàÿ¿B
income.upper_grant€å Ó5B
income.otheràşìB
expense.total ğ½ô’B
expense.benefitàÇÛÍ5B
expense.transfer€ßB
expense.upper_remit ‡Â£]B
expense.other ÂJ
benefit_share‚9J
current_balanceJ
months_payableJ
other_expense_shareJ
premium_share‚GJ

risk_levellevel1R
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
honoursXØbpoorjÙ
score_missingÇthe unit gave no score for 16 item(s): policy_formulation, decision_process, management_system, budget_management, performance_management, policy_execution, organization, financial_management, fund_supervision, risk_prevention, contribution_policy, premium_share, benefit_share, other_expense_share, payment_timeliness, honoursr513322x€