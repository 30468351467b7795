
5133222019employee*
income.total19717.93wan*
income.premium8960.91wan*
income.interest3.59wan*
income.subsidy3545.93wan*
income.other2.99wan*
income.transfer3.67wan*"
income.upper_grant7200.84wan*
expense.total19717.93wan*
expense.benefit7195.03wan*
expense.other0.25wan*
expense.transfer3.16wan*$
expense.upper_remit12519.49wan*
balance.closing0wan*#
stat.beneficiaries13935person