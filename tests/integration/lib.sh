# The set-up the integration tests share; source it, then call
#     fundtest_setup "$1"          # $1: the directory of the binaries
# It sets bin (that directory, absolute), here (the tests' directory) and
# tmp (a new directory), and on exit kills every pid listed in $tmp/pids
# and removes $tmp (FUNDCHAIN_KEEP=1 keeps it and says where).
#     fundtest_need_flood          # sets flood, or fails the test without it

fundtest_cleanup () {
  if [ -f "$tmp/pids" ]; then
    while read -r p; do kill -9 "$p" 2>/dev/null; done <"$tmp/pids"
  fi
  if [ -n "${FUNDCHAIN_KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}

fundtest_setup () {
  bin=$(cd "$1" && pwd)
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  tmp=$(mktemp -d)
  trap fundtest_cleanup EXIT
}

fundtest_need_flood () {
  flood="$bin/../tests/tools/flood"
  [ -x "$flood" ] || { echo "FAIL the flood tool is built ($flood)"; exit 1; }
}
