
В

5104002023resident *
income.total	70,325.02wan*
budget.income	69,876.23wan*
expense.total	64,970.33wan* 
budget.expense	66,089.86wan*"
stat.enrolled66.10
wan-person*"
stat.subsidy_standard640yuan*'
stat.contribution_standard395yuan*%
ind.enrollment_rate88.56%">=95*$
ind.interest_yield1.03%">=1.1*)
ind.months_payable7.44months"6..15*
ind.premium_share35.86%*
ind.benefit_share94.04%*"
ind.other_expense_share0.04%*-
ind.inpatient_reimbursement73.96%">=70*.
ind.outpatient_reimbursement77.46%">=50*
ind.satisfaction98%">=90*#
ind.supervision_score75points*%
score.policy_formulation5points*#
score.decision_process3points*$
score.management_system3points*$
score.budget_management4points*)
score.performance_management5points*#
score.policy_execution3points*
score.organization8points*'
score.financial_management4points*#
score.fund_supervision6points*"
score.risk_prevention1points*'
score.contribution_policy10points* 
score.premium_share1points* 
score.benefit_share1points*&
score.other_expense_share1points*%
score.payment_timeliness5points*
score.honours5points*
score.total95points0А╛ын4unit 510400 is not inside city 511900 (jurisdiction) А╛ын(Д╛ын0:A
target_missed0ind.enrollment_rate 88.56 misses its target >=95