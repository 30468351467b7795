
5133225133002019"	maternity0B
expense.totalà²µìB
expense.benefità²µìB(
!expense.benefit.maternity_medicalàûüzB+
#expense.benefit.maternity_allowance€·¸ñJ
benefit_share œR
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
sustainabilityR
satisfactionR	
honoursbpoorjÙ
score_missingÇthe unit gave no score for 16 item(s): policy_formulation, decision_process, management_system, budget_management, performance_management, policy_execution, organization, financial_management, fund_supervision, risk_prevention, contribution_policy, premium_share, benefit_share, other_expense_share, payment_timeliness, honoursr513322x€