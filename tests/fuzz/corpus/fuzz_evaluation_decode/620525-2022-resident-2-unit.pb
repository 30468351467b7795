
6205256205002022-12"resident0J
satisfactionœ•R
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
outpatient_reimbursementR
current_balanceR
sustainabilityR
satisfactionèR	
honoursXèbpoorjÙ
score_missingÇthe unit gave no score for 16 item(s): policy_formulation, decision_process, management_system, budget_management, performance_management, policy_execution, organization, financial_management, fund_supervision, risk_prevention, contribution_policy, premium_share, benefit_share, other_expense_share, payment_timeliness, honoursr620525x€