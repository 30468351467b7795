
6205252022-12resident*$
ind.satisfaction95.5%"90..100