
6205252022resident*
income.total	29,616.87wan*
expense.total8,834.59wan* 
expense.benefit8,693.85wan**
expense.benefit.inpatient6,113.27wan*3
"expense.benefit.outpatient_general2,580.58wan*
budget.expense326wan