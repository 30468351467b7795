#!/bin/bash
# Integration test: the manual pages (doc/*.scd, built into BUILD/man by the
# `man` target) document what the programs offer, and render cleanly.
# * For county-agent, city-aggregator and province-hub: every command the
#   program's --help lists has its subsection in PROGRAM.1 (".SS COMMAND",
#   from "## COMMAND" in the scdoc source), and every flag (--name) that
#   `PROGRAM COMMAND --help` prints has its entry there: a term line of the
#   subsection, the one above an indented description ("*--unit* _CODE_"
#   then a tab-indented paragraph, in scdoc), names it; a mention in the
#   usage line or the prose is not enough. --help, --version and --config,
#   which every command takes, have theirs anywhere in the page (COMMON
#   OPTIONS). A flag added to a command without its documentation fails.
# * Each page has the sections an operator looks for (NAME, SYNOPSIS, ...),
#   and each program's page names every FUNDCHAIN_* environment variable the
#   sources read (when the sources are beside this script).
# * Each page renders without a warning, no line wider than 80 columns:
#   `man --warnings=w -l` (man-db), else `groff -ww`; when neither is
#   installed (a minimal system: man-db and groff-base are not in
#   deploy/install-deps.sh) that part is skipped, saying so.
# Usage: bash test_manpages.sh BUILD/bin (the pages are in BUILD/man).
set -euo pipefail

bin=${1:?usage: test_manpages.sh BUILD/bin}
mandir="$bin/../man"
src="$(cd "$(dirname "$0")/../.." && pwd)"
programs=(county-agent city-aggregator province-hub)
pages=(county-agent.1 city-aggregator.1 province-hub.1 fundchain.conf.5)
common_flags=(--help --version --config)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
misses=0

miss() {
  echo "MISSING: $*"
  misses=$((misses + 1))
}

# The roff of a page as plain text: font changes and escapes removed, so
# that "\fB--unit\fR" reads "--unit".
plain() {
  sed -e 's/\\f[BIRP]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\f\[[^]]*\]//g' \
      -e 's/\\&//g' -e 's/\\-/-/g' -e 's/\\(aq/'"'"'/g' "$1"
}

# The subsection ".SS NAME" of a plain page, up to the next .SS or .SH.
subsection() {
  awk -v name="$2" '
    /^\.S[HS] / { inside = ($1 == ".SS" && $0 ~ "^\\.SS \"?" name "\"?$") ; next }
    inside' "$1"
}

# The term lines of a plain page or subsection: each line followed by an
# indented block (.RS), i.e. what an option's description is indented under.
terms() {
  awk '/^\.RS/ { if (prev !~ /^\./) print prev } { prev = $0 }' "$1"
}

# Whether the flag (--name) is in the text, as a whole flag: --unit is not
# found in --units.
has_flag() {
  grep -qE -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|$)" "$2"
}

for page in "${pages[@]}"; do
  [ -s "$mandir/$page" ] || miss "$mandir/$page: no such page (is the man target built?)"
done
[ "$misses" -eq 0 ] || { echo "FAIL: $misses missing"; exit 1; }

# ---- every command and every flag of --help, in its page ----
for prog in "${programs[@]}"; do
  page="$mandir/$prog.1"
  plain "$page" >"$tmp/$prog.txt"
  terms "$tmp/$prog.txt" >"$tmp/$prog.terms"
  "$bin/$prog" --help >"$tmp/help" 2>&1 || miss "$prog --help exited $?: $(head -3 "$tmp/help")"
  commands=$(awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }' "$tmp/help")
  [ -n "$commands" ] || miss "$prog --help lists no command (the test cannot read it)"
  for flag in "${common_flags[@]}"; do
    has_flag "$flag" "$tmp/$prog.terms" || miss "$prog.1: $flag (every command's) has no entry"
  done
  n_flags=0
  for cmd in $commands; do
    subsection "$tmp/$prog.txt" "$cmd" >"$tmp/$prog-$cmd.txt"
    if ! [ -s "$tmp/$prog-$cmd.txt" ]; then
      miss "$prog.1: no subsection for the command '$cmd' (## $cmd under # COMMANDS)"
      continue
    fi
    terms "$tmp/$prog-$cmd.txt" >"$tmp/$prog-$cmd.terms"
    "$bin/$prog" "$cmd" --help >"$tmp/help" 2>&1 ||
      miss "$prog $cmd --help exited $?: $(head -3 "$tmp/help")"
    flags=$(grep -oE -- '--[a-z][a-z0-9-]*' "$tmp/help" | sort -u || true)
    [ -n "$flags" ] || miss "$prog $cmd --help prints no flag (the test cannot read it)"
    for flag in $flags; do
      n_flags=$((n_flags + 1))
      case " ${common_flags[*]} " in *" $flag "*) continue ;; esac
      has_flag "$flag" "$tmp/$prog-$cmd.terms" ||
        miss "$prog.1: '$prog $cmd $flag' has no entry in the subsection $cmd"
    done
  done
  echo "$prog.1: $(echo $commands | wc -w) commands, $n_flags flags checked"
done

# ---- the sections an operator looks for ----
for page in "${pages[@]}"; do
  sections=(NAME SYNOPSIS DESCRIPTION FILES EXAMPLES "SEE ALSO")
  case $page in *.1) sections+=(COMMANDS ENVIRONMENT SIGNALS "EXIT STATUS") ;; esac
  for section in "${sections[@]}"; do
    grep -qE "^\.SH \"?$section\"?$" "$mandir/$page" || miss "$page: no section $section"
  done
done

# ---- the environment the sources read ----
if [ -d "$src/libfund" ]; then
  vars=$(grep -rhoE 'getenv\("FUNDCHAIN_[A-Z0-9_]+"\)' "$src/libfund" "$src/county-agent" \
           "$src/city-aggregator" "$src/province-hub" | sed -E 's/getenv\("(.*)"\)/\1/' | sort -u || true)
  for prog in "${programs[@]}"; do
    for var in $vars; do
      grep -qw -- "$var" "$tmp/$prog.txt" || miss "$prog.1: the environment variable $var is not documented"
    done
  done
  echo "environment: $(echo $vars | wc -w) FUNDCHAIN_* variables checked"
else
  echo "environment: skipped (no sources at $src)"
fi

# ---- rendering ----
render=""
if command -v man >/dev/null 2>&1 && man --version 2>/dev/null | grep -q '^man '; then
  render=man
elif command -v groff >/dev/null 2>&1; then
  render=groff
fi
if [ -z "$render" ]; then
  echo "rendering: SKIPPED: neither man (man-db) nor groff is installed" \
       "(apt-get install man-db groff-base to check it)"
else
  for page in "${pages[@]}"; do
    out="$tmp/$page.out" err="$tmp/$page.err"
    if [ "$render" = man ]; then
      LC_ALL=C.UTF-8 MANWIDTH=80 MANPAGER=cat PAGER=cat \
        man --warnings=w -l "$mandir/$page" >"$out" 2>"$err" || echo "man exited $?" >>"$err"
    else
      LC_ALL=C.UTF-8 groff -k -man -Tutf8 -ww -P-cbu -rLL=78n -rLT=78n \
        "$mandir/$page" >"$out" 2>"$err" || echo "groff exited $?" >>"$err"
    fi
    if [ -s "$err" ]; then
      miss "$page: $render renders it with warnings:"
      sed 's/^/    /' "$err"
    fi
    [ "$(wc -l <"$out")" -gt 20 ] || miss "$page: $render renders it (nearly) empty"
    width=$(LC_ALL=C.UTF-8 wc -L <"$out")
    [ "$width" -le 80 ] || {
      miss "$page: lines wider than 80 columns ($width):"
      while IFS= read -r line; do
        [ "$(printf '%s\n' "$line" | LC_ALL=C.UTF-8 wc -L)" -le 80 ] || echo "    $line"
      done <"$out"
    }
  done
  echo "rendering: ${#pages[@]} pages rendered by $render"
fi

if [ "$misses" -ne 0 ]; then
  echo "FAIL: $misses missing"
  exit 1
fi
echo "PASS: the manual pages document every command and flag"
