#!/bin/bash
# Makes the seed corpora of the fuzz targets in tests/fuzz/corpus/<target>/
# from the figures of the seed reports (the evaluation reports the product comes from; their figures are copied into deploy/ and tests/data/): the deploy/sample
# CSVs, a few more CSVs written here with the figures the seeds print, their
# GB18030, BOM and CRLF variants and some broken ones; number, target and
# period texts; the frameworks in the tree; and the binary protobuf seeds
# that make_seeds (tests/fuzz/make_seeds.c) encodes from those CSVs.
# Usage: tests/fuzz/make-corpus.sh [BUILD_DIR]  (default build-fuzz, a fuzz
# build as tests/fuzz/run.sh makes it; make_seeds is built there if needed).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$top/build-fuzz}"
corpus="$top/tests/fuzz/corpus"
sample="$top/deploy/sample"

cmake --build "$build" --target make_seeds -j2 >/dev/null
rm -rf "$corpus"
mkdir -p "$corpus"/fuzz_{csvimport,decimal,framework}
csv="$corpus/fuzz_csvimport"
header="unit,period,fund,item,value,unit_of_measure,target"

# The samples: 攀枝花市 2023 (seed 003, 万元) and 巴州区 2019 (seed 000, yuan).
cp "$sample/510400-2023-resident.csv" "$sample/511902-2019-resident.csv" "$csv/"

# Seed 004: a county of a 州 (here 513322), 2019, figures in 万元.
cat > "$csv/513322-2019-employee.csv" <<CSV
# seed 004: 2019 医疗保险基金 收支 (万元)
$header
513322,2019,employee,income.total,19717.93,wan,
513322,2019,employee,income.premium,8960.91,wan,
513322,2019,employee,income.interest,3.59,wan,
513322,2019,employee,income.subsidy,3545.93,wan,
513322,2019,employee,income.other,2.99,wan,
513322,2019,employee,income.transfer,3.67,wan,
513322,2019,employee,income.upper_grant,7200.84,wan,
513322,2019,employee,expense.total,19717.93,wan,
513322,2019,employee,expense.benefit,7195.03,wan,
513322,2019,employee,expense.other,0.25,wan,
513322,2019,employee,expense.transfer,3.16,wan,
513322,2019,employee,expense.upper_remit,12519.49,wan,
513322,2019,employee,balance.closing,0,wan,
513322,2019,employee,stat.beneficiaries,13935,person,
513322,2019,maternity,expense.benefit.maternity_medical,128.95,wan,
513322,2019,maternity,expense.benefit.maternity_allowance,790.04,wan,
513322,2019,maternity,expense.benefit,918.99,wan,
CSV

# Seed 001: 北塔区医疗保障局 2020 部门整体支出 (决算, 万元).
cat > "$csv/430511-2020-dept.csv" <<CSV
$header
430511,2020,dept,dept.final.income.total,363.47,wan,
430511,2020,dept,dept.final.income.carryover,43.34,wan,
430511,2020,dept,dept.final.income.fiscal,258.58,wan,
430511,2020,dept,dept.final.income.other,61.55,wan,
430511,2020,dept,dept.final.expense.total,363.47,wan,
430511,2020,dept,dept.final.expense.personnel,211.90,wan,
430511,2020,dept,dept.final.expense.public,151.57,wan,
430511,2020,dept,dept.final.expense.project,0,wan,
430511,2020,dept,dept.final.expense.three_public,0.34,wan,
CSV

# Seed 002: 张家川县 2022 城乡居民 (万元), a quarter and a month as well.
cat > "$csv/620525-2022-resident.csv" <<CSV
$header
620525,2022,resident,income.total,"29,616.87",wan,
620525,2022,resident,expense.total,"8,834.59",wan,
620525,2022,resident,expense.benefit,"8,693.85",wan,
620525,2022,resident,expense.benefit.inpatient,"6,113.27",wan,
620525,2022,resident,expense.benefit.outpatient_general,"2,580.58",wan,
620525,2022,resident,budget.expense,326,wan,
620525,2022-Q4,resident,expense.benefit.inpatient,1528.32,wan,
620525,2022-12,resident,ind.satisfaction,95.5,%,90..100
CSV

# Encodings and line ends of the samples.
iconv -f UTF-8 -t GB18030 "$sample/510400-2023-resident.csv" > "$csv/510400-gb18030.csv"
{ printf '\xef\xbb\xbf'; cat "$sample/511902-2019-resident.csv"; } > "$csv/511902-bom.csv"
sed 's/$/\r/' "$sample/511902-2019-resident.csv" > "$csv/511902-crlf.csv"

# Broken files: each must be refused with its own error.
printf '%s\n%s\n' "$header" '510400,2023,resident,income.totl,"70,325.02",wan,' > "$csv/bad-unknown-item.csv"
printf '%s\n%s\n' "$header" '510400,2023,resident,income.total,"70,32.502",wan,' > "$csv/bad-number.csv"
printf '%s\n%s\n' "$header" '510400,2023,resident,income.total,-1.05,yuan,' > "$csv/bad-negative.csv"
printf '%s\n%s\n' "$header" '511902,2019,resident,income.total,1.005,yuan,,x' > "$csv/bad-extra-column.csv"
printf '%s\n%s\n' "$header" '51190,2019-13,pension,ind.rate,5,%,>=9..1' > "$csv/bad-fields.csv"
printf '%s\n%s\n' 'unit,period,fund,item,value' '511902,2019,resident,"income.total' > "$csv/bad-quote.csv"

# Numbers, targets, periods and settings, one text a file.
i=0
for text in "70,325.02" "101,348,836.95" "-1.05" "88.56" "66.10" "0.04" "19717.93" \
            "999999999999999999" ">=95" "<=3" ">1.1" "<0" "=0" "6..15" "90..110" \
            "2023" "2023-Q4" "2019-12" "month=10,quarter=5,year=15" "3,6,9,15"; do
  printf '%s' "$text" > "$corpus/fuzz_decimal/$(printf '%02d' $i)"
  i=$((i + 1))
done

# Frameworks.
cp "$top/libfund/default-framework.csv" "$corpus/fuzz_framework/default.csv"
cp "$top/tests/data/compute-framework.csv" "$corpus/fuzz_framework/compute.csv"

# Binary seeds: 510400 first (a city's own account), 511902 second (a county).
"$build/fuzz/make_seeds" "$corpus" "$sample/510400-2023-resident.csv" \
  "$sample/511902-2019-resident.csv" "$csv/513322-2019-employee.csv" \
  "$csv/430511-2020-dept.csv" "$csv/620525-2022-resident.csv"
echo "corpus: $(find "$corpus" -type f | wc -l) files," \
  "$(find "$corpus" -type f -printf '%s\n' | awk '{n += $1} END {print n}') bytes"
