"
5104002023resident :report