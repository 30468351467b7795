#!/bin/bash
# Integration test (issue 7, items 12 and 15): `county-agent submit` on the
# files an operator brings. Several files with one bad: nothing from any of
# them is queued, and the message says so. A missing file: the system's
# reason. A GB18030 file whose bytes are also valid UTF-8: read as GB18030,
# and said so. A long file: every report queued, progress on a terminal only.
set -uo pipefail
bin=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
fail=0
trap 'rm -rf "$tmp"' EXIT
check () { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
agent="$bin/county-agent"
H=unit,period,fund,item,value,unit_of_measure,target

printf '%s\n510900,2023,resident,income.total,1,yuan,\n' "$H" >"$tmp/good.csv"
printf '%s\n510900,2023-Q1,resident,income.totl,1,yuan,\n' "$H" >"$tmp/bad.csv"
"$agent" submit --unit 510900 --data "$tmp/a" "$tmp/good.csv" "$tmp/bad.csv" >"$tmp/out" 2>"$tmp/err"
check "one bad file of two: exit 2" "[ $? -eq 2 ]"
check "the message says nothing from any of the files was queued" \
  "grep -q 'nothing from any of them was queued' '$tmp/err'"
check "and nothing was printed as queued" "[ ! -s '$tmp/out' ]"
"$agent" submit --unit 510900 --data "$tmp/a" "$tmp/good.csv" >"$tmp/out" 2>"$tmp/err"
check "the good file alone then goes as revision 1 (nothing of it was kept)" \
  "grep -qx 'queued 510900 2023 resident revision 1' '$tmp/out'"

"$agent" submit --unit 510900 --data "$tmp/a" "$tmp/no-such.csv" 2>"$tmp/err"
check "a missing file: exit 2" "[ $? -eq 2 ]"
check "a missing file: the system's reason is given" \
  "grep -q 'no-such.csv: error: cannot open the file: No such file or directory' '$tmp/err'"

cp "$here/../data/gb18030-yuan.csv" "$tmp/yuan.csv"
"$agent" submit --unit 510400 --data "$tmp/b" "$tmp/yuan.csv" >"$tmp/out" 2>"$tmp/err"
check "a GB18030 file that is also valid UTF-8 is accepted" "[ $? -eq 0 ]"
check "and the encoding read is said" "grep -q '^.*yuan.csv: read as GB18030' '$tmp/err'"

python3 "$here/../../bench/gen-monthly.py" --years 50 --unit 510900 >"$tmp/long.csv"
"$agent" submit --unit 510900 --data "$tmp/c" "$tmp/long.csv" >"$tmp/out" 2>"$tmp/err"
check "a long file (22,201 lines) is accepted" "[ $? -eq 0 ]"
check "every one of its 600 monthly reports is queued" \
  "[ \$(grep -c '^queued 510900 [0-9]*-[0-9]* resident revision 1\$' '$tmp/out') -eq 600 ]"
check "no progress when stderr is not a terminal" "[ ! -s '$tmp/err' ]"
python3 - "$agent" "$tmp" >"$tmp/tty" <<'PYTHON'
import os, pty, subprocess, sys
agent, tmp = sys.argv[1], sys.argv[2]
master, slave = pty.openpty()
proc = subprocess.Popen([agent, "submit", "--unit", "510900", "--data", tmp + "/d",
                         tmp + "/long.csv"], stdout=subprocess.DEVNULL, stderr=slave)
os.close(slave)
seen = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
sys.stdout.write(seen.decode("utf-8", "replace") + "\nexit %d\n" % proc.wait())
PYTHON
check "progress on a terminal: reading, checking, queuing" \
  "grep -q 'long.csv: reading *[0-9]*%' '$tmp/tty' && grep -q 'long.csv: checking' '$tmp/tty' && grep -q 'queuing' '$tmp/tty'"
check "and the submit still succeeds" "grep -qx 'exit 0' '$tmp/tty'"
exit $fail
