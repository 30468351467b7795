2
5104002023resident :
evaluation@J510400P