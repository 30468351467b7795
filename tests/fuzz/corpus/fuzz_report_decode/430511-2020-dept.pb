
4305112020dept*&
dept.final.income.total363.47wan*)
dept.final.income.carryover43.34wan*'
dept.final.income.fiscal258.58wan*%
dept.final.income.other61.55wan*'
dept.final.expense.total363.47wan*+
dept.final.expense.personnel211.90wan*(
dept.final.expense.public151.57wan*$
dept.final.expense.project0wan*,
dept.final.expense.three_public0.34wan