
6205252022-Q4resident*)
expense.benefit.inpatient1528.32wan