
5119022019resident*'
balance.opening101,348,836.95yuan*$
income.total493,009,665.42yuan*
budget.income	46,310.00wan*1
expense.benefit.inpatient193,311,915.63yuan*9
"expense.benefit.outpatient_chronic30,413,945.26yuan*9
"expense.benefit.outpatient_general25,256,512.19yuan*+
expense.upper_remit149,541,236.21yuan*'
balance.closing195,834,893.08yuan*%
stat.subsidy_standard520.00yuan