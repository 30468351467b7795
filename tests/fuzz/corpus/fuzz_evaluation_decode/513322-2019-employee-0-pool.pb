
5133005133002019"employee(0B
balance.closingB
income.total ‹¡]B
income.premiumàŠåáBB
income.subsidy äÔµB
income.interestà¶B
income.transferàÿ¿B
income.otheràşìB
expense.total€éûĞ5B
expense.benefitàÇÛÍ5B
expense.transfer€ßB
expense.other ÂJ
benefit_share–œJ
current_balance ¢¡Ğ'J
months_payableJ
other_expense_shareJ
premium_shareîoJ

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
honoursXØbpoorj<
pool_incomplete)1 known unit(s) have not reported: 513300jˆ
transfer_unreconciledothe counties' expense.upper_remit total 125,194,900.00 yuan but the å¸‚æœ¬çº§'s income.lower_remit is 0.00 yuanj‡
transfer_unreconcilednthe counties' income.upper_grant total 72,008,400.00 yuan but the å¸‚æœ¬çº§'s expense.lower_grant is 0.00 yuanjõ
score_missingãneither the å¸‚æœ¬çº§ nor any county gave no score for 16 item(s): policy_formulation, decision_process, management_system, budget_management, performance_management, policy_execution, organization, financial_management, fund_supervision, risk_prevention, contribution_policy, premium_share, benefit_share, other_expense_share, payment_timeliness, honoursr513322€