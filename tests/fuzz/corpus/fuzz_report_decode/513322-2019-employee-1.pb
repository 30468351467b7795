
5133222019	maternity*0
!expense.benefit.maternity_medical128.95wan*2
#expense.benefit.maternity_allowance790.04wan*
expense.benefit918.99wan