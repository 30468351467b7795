f
5104002023resident (2@invalid report: income.total: bad number [bad_number] (1 errors):report