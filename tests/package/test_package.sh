#!/bin/bash
# The Debian packages, installed for real (as root, with dpkg):
#
#     bash tests/package/test_package.sh [BUILD_DIR]    # default: build-deb/
#
# * deploy/package.sh builds the packages twice from BUILD_DIR: an older
#   version (0.1.0~test1) and the current one; their control fields,
#   conffiles and contents are checked.
# * The old packages are installed (the postinst says what to do first),
#   keys made and the configs edited as the README tells an operator; the
#   current packages are then installed over them (an upgrade): the edited
#   configs stay. Owners and modes of what matters are checked, the
#   conffiles, and `systemd-analyze verify` and `security --offline=true`
#   (each unit "OK" or better) on the installed units.
# * The installed binaries run as the units run them (runuser -u USER --
#   /usr/bin/DAEMON run -c /etc/fundchain/DAEMON.conf, the examples'
#   endpoints): a county report submitted at the agent reaches the hub; a
#   `keys --allow` lists the allowed key, a `backup` taken as root while the
#   hub runs opens, and restores as the README says; a SIGTERM stops each
#   daemon with exit 0.
# * dpkg -r (binaries gone; state, settings and keys kept), dpkg --purge
#   (settings gone; state and keys kept and the message says so, with the
#   command that removes them, which the test then runs).
# The machine is left without the packages, /etc/fundchain and
# /var/lib/fundchain (the system users stay, as after any purge), on
# failure too. It refuses to run where fundchain is installed or its
# directories exist and were not left by an earlier run of this test.
set -euo pipefail
# A grep that reads its input to the end: "grep -q" stops at the first match,
# and under pipefail the writer's SIGPIPE then fails the whole pipe.
gq () { grep "$@" >/dev/null; }
top="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$top/build-deb}"
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIPPED: installing packages needs root"; exit 0
fi
for tool in dpkg dpkg-deb runuser systemd-analyze; do
  command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is missing"; exit 0; }
done

DAEMONS="county-agent city-aggregator province-hub"
PKGS="fundchain-county-agent fundchain-city-aggregator fundchain-province-hub fundchain-common"
declare -A USER_OF=([county-agent]=fundchain-agent [city-aggregator]=fundchain-city
                    [province-hub]=fundchain-hub)
OLD_VERSION=0.1.0~test1
PROVINCE=510000 CITY=510900 CITY_NAME=遂宁市 UNIT=510904
CSV="$top/tests/data/scenario-basic/data/$UNIT.csv"
PORTS="7001 7002 7100 7101"   # the example configs' endpoints
marker=/var/lib/fundchain-package-test
failed=0
runners=()   # runuser pids of the daemons

ok () { echo "ok   $*"; }
fail () { echo "FAIL $*"; failed=1; exit 1; }
check () {   # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
child_of () {   # child_of PID: the pids of a one-threaded process's children
  local c=""
  if [ -e "/proc/$1/task/$1/children" ]; then
    c=$(cat "/proc/$1/task/$1/children" 2>/dev/null) || true
  elif command -v pgrep >/dev/null; then
    c=$(pgrep -P "$1") || true
  fi
  echo $c
}
installed_pkgs () {   # the fundchain packages dpkg has (installed, config-files, half-done)
  dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' 'fundchain-*' 2>/dev/null |
    awk 'substr($2, 2, 1) != "n" { print $1 }' || true
}

cleanup () {
  local rc=$?
  set +e
  {
    # Each daemon, then its runuser once that has reaped it.
    for p in "${runners[@]}"; do kill -TERM $(child_of "$p"); done
    for p in "${runners[@]}"; do
      for _ in $(seq 50); do kill -0 "$p" || break; sleep 0.1; done
      c=$(child_of "$p")
      [ -n "$c" ] && kill -KILL $c && sleep 0.5
      kill -KILL "$p"
      wait "$p"
    done
  } 2>/dev/null
  local left
  left=$(installed_pkgs)
  [ -n "$left" ] && dpkg --purge $left >/dev/null 2>&1
  rm -rf /etc/fundchain /var/lib/fundchain "$marker"
  [ -n "${tmp:-}" ] && rm -rf "$tmp"
  if [ $rc -ne 0 ] || [ $failed -ne 0 ]; then
    echo "PACKAGE TEST FAILED (the machine was cleaned up)"
  fi
}

# ---- refuse to touch a real installation ----
leftover="$(installed_pkgs | tr '\n' ' ')"
for d in /etc/fundchain /var/lib/fundchain; do [ -e "$d" ] && leftover="$leftover$d "; done
if [ -n "$leftover" ] && [ ! -e "$marker" ]; then
  echo "FAIL this machine has fundchain installed or its data: $leftover"
  echo "     (the test installs and purges the packages and removes /etc/fundchain and"
  echo "     /var/lib/fundchain: run it on a test machine, or remove them first)"
  exit 1
fi
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
if [ -n "$leftover" ]; then
  echo "note: cleaning up what an interrupted run left: $leftover"
  # Its daemons, if they still run (the runuser pids it recorded), and its
  # temporary directory.
  while read -r what pid bin; do
    case "$what" in
      runner)
        for child in $(child_of "$pid"); do
          [ "$(tr '\0' ' ' </proc/"$child"/cmdline 2>/dev/null | cut -d' ' -f1)" = "$bin" ] &&
            kill -TERM "$child"
        done ;;
      tmp)
        case "$pid" in /tmp/fundchain-pkgtest.*) rm -rf "$pid" ;; esac ;;
    esac
  done <"$marker"
  sleep 1
  cleanup
fi
for port in $PORTS; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    fail "port $port is free (the example configs use $PORTS)"
  fi
done
tmp=$(mktemp -d /tmp/fundchain-pkgtest.XXXXXX)
printf 'fundchain package test, %s\ntmp %s\n' "$(date -u +%FT%TZ)" "$tmp" >"$marker"
chmod 0755 "$tmp"   # the daemons' users read the CSV from here

# ---- build ----
echo "== deploy/package.sh $build (version $OLD_VERSION, then the current one)"
if ! FUNDCHAIN_PKG_VERSION=$OLD_VERSION bash "$top/deploy/package.sh" "$build" \
     >"$tmp/old.list" 2>"$tmp/old.log"; then
  tail -n 30 "$tmp/old.log"; fail "package.sh builds version $OLD_VERSION"
fi
mkdir "$tmp/old" "$tmp/new"
xargs -a "$tmp/old.list" cp -t "$tmp/old/"
if ! bash "$top/deploy/package.sh" "$build" >"$tmp/new.list" 2>"$tmp/new.log"; then
  tail -n 30 "$tmp/new.log"; fail "package.sh builds the current version"
fi
xargs -a "$tmp/new.list" cp -t "$tmp/new/"
check "package.sh printed 4 .deb paths, nothing else, each time" \
  test "$(grep -c '\.deb$' "$tmp/old.list")$(wc -l <"$tmp/old.list")$(grep -c '\.deb$' "$tmp/new.list")$(wc -l <"$tmp/new.list")" = 4444
deb () { ls "$tmp/$1/$2"_*.deb; }   # deb old|new PACKAGE
script_ok () {   # script_ok FILE: a maintainer script as dpkg wants it
  head -n 1 "$1" | gq -x '#!/bin/sh' && grep -qx 'set -e' "$1" &&
    [ "$(stat -c %a "$1")" = 755 ] && sh -n "$1"
}
contents_ok () {   # contents_ok DEB DAEMON
  local list
  list=$(dpkg-deb -c "$1")
  awk '$2 != "root/root" { bad = 1 } END { exit bad }' <<<"$list" &&
    grep -qE "^-rwxr-xr-x root/root .* \./usr/bin/$2\$" <<<"$list" &&
    grep -qE "^-rw-r--r-- root/root .* \./lib/systemd/system/fundchain-$2\.service\$" <<<"$list" &&
    grep -qE "^-rw-r--r-- root/root .* \./etc/fundchain/$2\.conf\$" <<<"$list"
}
VERSION=$(dpkg-deb -f "$(deb new fundchain-county-agent)" Version)
check "the current version $VERSION is newer than $OLD_VERSION" \
  dpkg --compare-versions "$VERSION" gt "$OLD_VERSION"
for pkg in $PKGS; do
  check "$pkg: version $VERSION" test "$(dpkg-deb -f "$(deb new $pkg)" Version)" = "$VERSION"
done
check "fundchain-common: architecture all" \
  test "$(dpkg-deb -f "$(deb new fundchain-common)" Architecture)" = all
for d in $DAEMONS; do
  f=$(deb new fundchain-$d)
  depends=$(dpkg-deb -f "$f" Depends)
  check "fundchain-$d depends on fundchain-common (= $VERSION)" \
    grep -qF "fundchain-common (= $VERSION)" <<<"$depends"
  check "fundchain-$d: Depends from dpkg-shlibdeps (libc6, libzmq5, liblmdb0)" \
    grep -qE 'libc6 \(>= [^)]*\).*liblmdb0.*libzmq5' <<<"$depends"
  rm -rf "$tmp/ctl"; dpkg-deb -e "$f" "$tmp/ctl"
  check "fundchain-$d: conffiles lists /etc/fundchain/$d.conf only" \
    test "$(cat "$tmp/ctl/conffiles")" = "/etc/fundchain/$d.conf"
  for s in postinst prerm postrm; do
    check "fundchain-$d: $s is POSIX sh (sh -n), set -e, mode 0755" script_ok "$tmp/ctl/$s"
  done
  check "fundchain-$d: every file root/root; the binary 0755, unit and conf 0644" contents_ok "$f" "$d"
done
framework_ok () {
  dpkg-deb -c "$(deb new fundchain-common)" |
    gq -E '^-rw-r--r-- root/root .* \./usr/share/fundchain/default-framework\.csv$'
}
check "fundchain-common holds the default framework, 0644 root" framework_ok

# ---- install the old version ----
echo "== dpkg -i (version $OLD_VERSION)"
if ! dpkg -i "$tmp"/old/*.deb </dev/null >"$tmp/install-old.log" 2>&1; then
  cat "$tmp/install-old.log"; fail "dpkg -i of version $OLD_VERSION"
fi
ok "dpkg -i of version $OLD_VERSION"
for d in $DAEMONS; do
  u=${USER_OF[$d]}
  check "postinst says how to begin: runuser -u $u -- $d keygen ..." \
    grep -qF "runuser -u $u -- $d keygen --out /etc/fundchain/keys/$d --name CODE" "$tmp/install-old.log"
  check "fundchain-$d.service is not enabled" \
    test ! -e "/etc/systemd/system/multi-user.target.wants/fundchain-$d.service"
done

# ---- set up as the README says: keys, public keys, configs ----
echo "== keys and configs, as the README (Install on a server) tells an operator"
keygen () {   # keygen DAEMON CODE
  runuser -u "${USER_OF[$1]}" -- "$1" keygen --out "/etc/fundchain/keys/$1" --name "$2" >/dev/null
}
check "keygen as fundchain-hub ($PROVINCE)" keygen province-hub $PROVINCE
check "keygen as fundchain-city ($CITY)" keygen city-aggregator $CITY
check "keygen as fundchain-agent ($UNIT)" keygen county-agent $UNIT
# The peers' public keys: readable by all, root's.
install -m 0644 /etc/fundchain/keys/province-hub/$PROVINCE.pub /etc/fundchain/keys/$PROVINCE.pub
install -m 0644 /etc/fundchain/keys/city-aggregator/$CITY.pub /etc/fundchain/keys/$CITY.pub
install -m 0644 /etc/fundchain/keys/city-aggregator/$CITY.pub /etc/fundchain/allow/province-hub/$CITY.pub
install -m 0644 /etc/fundchain/keys/county-agent/$UNIT.pub /etc/fundchain/allow/city-aggregator/$UNIT.pub

conf_set () {   # conf_set DAEMON NAME [VALUE]: uncomment NAME, setting VALUE if given
  local file=/etc/fundchain/$1.conf
  if [ $# -eq 3 ]; then
    sed -i "s|^#$2 = .*\$|$2 = $3|" "$file"
  else
    sed -i "s|^#\\($2 = .*\\)\$|\\1|" "$file"
  fi
  [ "$(grep -c "^$2 = " "$file")" = 1 ] || fail "$file: one '$2 = ' line"
}
conf_set province-hub province $PROVINCE
conf_set province-hub name 四川省
for s in data bind query-bind allow; do conf_set province-hub $s; done
conf_set province-hub key /etc/fundchain/keys/province-hub/$PROVINCE.key
conf_set city-aggregator city $CITY
conf_set city-aggregator name $CITY_NAME
for s in data bind pub allow province; do conf_set city-aggregator $s; done
conf_set city-aggregator key /etc/fundchain/keys/city-aggregator/$CITY.key
conf_set city-aggregator province-pub /etc/fundchain/keys/$PROVINCE.pub
conf_set county-agent unit $UNIT
for s in data city; do conf_set county-agent $s; done
conf_set county-agent city-pub /etc/fundchain/keys/$CITY.pub
conf_set county-agent key /etc/fundchain/keys/county-agent/$UNIT.key
for d in $DAEMONS; do cp "/etc/fundchain/$d.conf" "$tmp/$d.conf.edited"; done
ok "configs edited (codes, names, key files)"

# ---- upgrade ----
echo "== dpkg -i (version $VERSION over $OLD_VERSION)"
if ! dpkg -i "$tmp"/new/*.deb </dev/null >"$tmp/install-new.log" 2>&1; then
  cat "$tmp/install-new.log"; fail "dpkg -i of version $VERSION (the upgrade)"
fi
ok "dpkg -i of version $VERSION (the upgrade)"
for pkg in $PKGS; do
  check "$pkg $VERSION installed" \
    test "$(dpkg-query -W -f='${Version} ${db:Status-Abbrev}' $pkg)" = "$VERSION ii "
done
check "the upgrade says nothing about first steps (the keys exist)" \
  eval '! grep -q "keygen" "$tmp/install-new.log"'
for d in $DAEMONS; do
  check "/etc/fundchain/$d.conf: the operator's edits survive the upgrade" \
    cmp -s "/etc/fundchain/$d.conf" "$tmp/$d.conf.edited"
  check "/etc/fundchain/$d.conf is a conffile of fundchain-$d" \
    eval 'dpkg-query -W -f="\${Conffiles}\n" fundchain-$d | gq -E "^ /etc/fundchain/$d\.conf [0-9a-f]{32}$"'
done

# ---- what is installed: owners and modes ----
echo "== installed files: owner, group, mode"
expect () {   # expect MODE USER GROUP PATH
  local got
  got=$(stat -c '%a %U %G' "$4" 2>/dev/null || echo missing)
  if [ "$got" = "$1 $2 $3" ]; then ok "$4: $got"; else fail "$4: $got, expected $1 $2 $3"; fi
}
expect 755 root root /usr/share/fundchain
expect 644 root root /usr/share/fundchain/default-framework.csv
expect 755 root root /etc/fundchain
expect 755 root root /etc/fundchain/keys
expect 644 root root /etc/fundchain/keys/$PROVINCE.pub
expect 644 root root /etc/fundchain/keys/$CITY.pub
expect 755 root root /etc/fundchain/allow
expect 755 root root /var/lib/fundchain
declare -A CODE_OF=([county-agent]=$UNIT [city-aggregator]=$CITY [province-hub]=$PROVINCE)
for d in $DAEMONS; do
  u=${USER_OF[$d]}
  expect 755 root root /usr/bin/$d
  expect 644 root root /etc/fundchain/$d.conf
  expect 644 root root /lib/systemd/system/fundchain-$d.service
  expect 700 "$u" "$u" /var/lib/fundchain/$d
  expect 700 "$u" "$u" /etc/fundchain/keys/$d
  expect 600 "$u" "$u" /etc/fundchain/keys/$d/${CODE_OF[$d]}.key
  expect 644 "$u" "$u" /etc/fundchain/keys/$d/${CODE_OF[$d]}.pub
  entry=$(getent passwd "$u")
  IFS=: read -r _ _ uid _ _ home shell <<<"$entry"
  check "user $u: a system user (uid $uid), home /var/lib/fundchain/$d, no login shell" \
    test "$uid" -lt 1000 -a "$home" = "/var/lib/fundchain/$d" -a "$shell" = /usr/sbin/nologin
  check "group $u exists and is $u's primary group" \
    test "$(id -gn "$u")" = "$u"
done
for d in city-aggregator province-hub; do
  expect 755 root root /etc/fundchain/allow/$d
done
check "the agent has no allow directory" test ! -e /etc/fundchain/allow/county-agent

# ---- the maintainer scripts take every argument dpkg gives ----
echo "== maintainer scripts: every argument, again and again (idempotent)"
arch=$(dpkg --print-architecture)
script () {   # script PACKAGE NAME ARGS...: runs a maintainer script as dpkg does
  local p=$1 name=$2; shift 2
  DPKG_MAINTSCRIPT_PACKAGE=$p DPKG_MAINTSCRIPT_NAME=$name DPKG_MAINTSCRIPT_ARCH=$arch \
    sh "/var/lib/dpkg/info/$p.$name" "$@"
}
postinst_args () {
  script "$1" postinst configure "$VERSION" >/dev/null && script "$1" postinst abort-upgrade "$VERSION" &&
    script "$1" postinst abort-remove && script "$1" postinst abort-deconfigure in-favour x 1
}
other_args () {
  script "$1" prerm upgrade "$VERSION" && script "$1" prerm failed-upgrade "$VERSION" &&
    script "$1" prerm deconfigure in-favour x 1 &&
    script "$1" postrm upgrade "$VERSION" && script "$1" postrm failed-upgrade "$VERSION" &&
    script "$1" postrm abort-install && script "$1" postrm abort-upgrade "$VERSION" &&
    script "$1" postrm disappear x 1
}
unknown_refused () {
  ! script "$1" postinst frobnicate 2>/dev/null && ! script "$1" prerm frobnicate 2>/dev/null &&
    ! script "$1" postrm frobnicate 2>/dev/null
}
for d in $DAEMONS; do
  p=fundchain-$d
  check "$p: postinst configure $VERSION / abort-upgrade / abort-remove / abort-deconfigure" \
    postinst_args $p
  check "$p: prerm upgrade / failed-upgrade / deconfigure; postrm upgrade / failed-upgrade / abort-install / abort-upgrade / disappear" \
    other_args $p
  check "$p: an unknown argument is refused" unknown_refused $p
  expect 700 "${USER_OF[$d]}" "${USER_OF[$d]}" /var/lib/fundchain/$d
  expect 700 "${USER_OF[$d]}" "${USER_OF[$d]}" /etc/fundchain/keys/$d
  check "fundchain-$d.service is still not enabled" \
    test ! -e "/etc/systemd/system/multi-user.target.wants/fundchain-$d.service"
done

# ---- the units ----
echo "== systemd-analyze verify and security --offline=true"
for d in $DAEMONS; do
  unit=/lib/systemd/system/fundchain-$d.service
  rc=0; out=$(cd / && systemd-analyze verify "$unit" 2>&1) || rc=$?
  if [ $rc -eq 0 ] && ! grep -q fundchain <<<"$out"; then
    ok "systemd-analyze verify $unit"
    [ -z "$out" ] || sed 's/^/     (about another unit) /' <<<"$out"
  else
    echo "$out"; fail "systemd-analyze verify $unit (exit $rc)"
  fi
  out=$(cd / && systemd-analyze security --offline=true --no-pager "$unit" 2>&1 | tail -n 1) || true
  level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p' <<<"$out")
  case "${level#* }" in
    PERFECT|SAFE|OK) ok "systemd-analyze security $unit: exposure $level" ;;
    *) echo "$out"; fail "systemd-analyze security $unit: exposure ${level:-unknown}, must be OK or better" ;;
  esac
done

# ---- run the installed binaries as the units do ----
echo "== the installed daemons, run as the units run them"
start () {   # start DAEMON: runuser -u USER -- /usr/bin/DAEMON run -c /etc/fundchain/DAEMON.conf
  runuser -u "${USER_OF[$1]}" -- "/usr/bin/$1" run -c "/etc/fundchain/$1.conf" 2>"$tmp/$1.log" &
  runners+=($!)
  eval "runner_$(tr - _ <<<"$1")=$!"
  echo "runner $! /usr/bin/$1" >>"$marker"   # for a rerun after this one was killed
}
listening () { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for () {   # wait_for SECONDS COMMAND...
  local end=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -ge $end ] && return 1
    sleep 0.2
  done
}
start province-hub
check "province-hub listens on 7100 and 7101" \
  eval 'wait_for 10 listening 7100 && wait_for 5 listening 7101'
start city-aggregator
check "city-aggregator listens on 7001" wait_for 10 listening 7001
start county-agent
cp "$CSV" "$tmp/$UNIT.csv"; chmod 0644 "$tmp/$UNIT.csv"
as_agent () { runuser -u fundchain-agent -- county-agent "$@"; }
check "county-agent submit (as fundchain-agent) queues $UNIT's 2023 report" \
  eval 'as_agent submit --unit $UNIT --data /var/lib/fundchain/county-agent "$tmp/$UNIT.csv" >"$tmp/submit.log" 2>&1'
acked () { as_agent status --data /var/lib/fundchain/county-agent --format json 2>/dev/null |
             gq '"state": *"acked"'; }
if wait_for 30 acked; then ok "county-agent status: the report is acked"; else
  tail -n 5 "$tmp"/*.log; fail "county-agent status: the report is acked"; fi
at_hub () { runuser -u fundchain-hub -- province-hub show --data /var/lib/fundchain/province-hub \
              --unit "$1" --period 2023 --fund resident --format json 2>/dev/null; }
if wait_for 30 eval 'at_hub $UNIT | gq "\"code\": *\"$UNIT\""'; then
  ok "province-hub show (as fundchain-hub): the hub holds $UNIT's evaluation"
else
  tail -n 5 "$tmp"/*.log; fail "province-hub show: the hub holds $UNIT's evaluation"
fi
check "province-hub show: the hub holds city $CITY's pool" \
  wait_for 15 eval 'at_hub $CITY | gq "\"code\": *\"$CITY\""'
check "province-hub rank --level county (as root) ranks $UNIT" \
  eval 'province-hub rank --data /var/lib/fundchain/province-hub --period 2023 --fund resident \
          --level county --format csv | gq "$UNIT"'
check "city-aggregator keys --allow /etc/fundchain/allow/city-aggregator lists $UNIT" \
  eval 'city-aggregator keys --allow /etc/fundchain/allow/city-aggregator --format csv | gq "$UNIT"'
check "province-hub backup (as root, the hub running) makes a copy that opens" \
  eval 'province-hub backup --data /var/lib/fundchain/province-hub --out "$tmp/hub-backup" >/dev/null 2>&1 &&
        province-hub show --data "$tmp/hub-backup" --unit $UNIT --period 2023 --fund resident >/dev/null'
for d in $DAEMONS; do
  u=${USER_OF[$d]}
  check "/var/lib/fundchain/$d/data.mdb: 0600 $u" \
    test "$(stat -c '%a %U' /var/lib/fundchain/$d/data.mdb)" = "600 $u"
done
for d in county-agent city-aggregator province-hub; do
  var=runner_$(tr - _ <<<"$d")
  runner=${!var}
  pid=$(child_of "$runner")
  [ -n "$pid" ] || { tail -n 5 "$tmp/$d.log"; fail "$d is running"; }
  kill -TERM "$pid"
  rc=0; wait "$runner" || rc=$?
  if [ $rc -eq 0 ] && grep -q "stopping on SIGTERM" "$tmp/$d.log"; then
    ok "$d: SIGTERM stops it, exit 0"
  else
    tail -n 5 "$tmp/$d.log"; fail "$d: SIGTERM stops it, exit 0 (exit $rc)"
  fi
done
runners=()
restore () {   # as the README restores a store: the daemon stopped, data.mdb replaced
  install -o fundchain-hub -g fundchain-hub -m 0600 "$tmp/hub-backup/data.mdb" \
    /var/lib/fundchain/province-hub/data.mdb &&
    at_hub $UNIT | gq "\"code\": *\"$UNIT\""
}
check "the hub's store restored from the backup (install -o fundchain-hub -m 0600) reads" restore

# ---- remove ----
echo "== dpkg -r"
if ! dpkg -r $PKGS </dev/null >"$tmp/remove.log" 2>&1; then
  cat "$tmp/remove.log"; fail "dpkg -r"
fi
ok "dpkg -r $PKGS"
for d in $DAEMONS; do
  check "fundchain-$d: removed, its settings left (config-files)" \
    test "$(dpkg-query -W -f='${db:Status-Abbrev}' fundchain-$d)" = "rc "
  check "/usr/bin/$d and its unit are gone" \
    test ! -e /usr/bin/$d -a ! -e /lib/systemd/system/fundchain-$d.service
  check "/etc/fundchain/$d.conf is kept, as edited" cmp -s /etc/fundchain/$d.conf "$tmp/$d.conf.edited"
  check "/var/lib/fundchain/$d/data.mdb is kept" test -s /var/lib/fundchain/$d/data.mdb
  check "/etc/fundchain/keys/$d/${CODE_OF[$d]}.key is kept" test -s /etc/fundchain/keys/$d/${CODE_OF[$d]}.key
done
check "/usr/share/fundchain is gone" test ! -e /usr/share/fundchain

# ---- purge ----
echo "== dpkg --purge"
left=$(installed_pkgs)
if ! dpkg --purge $left </dev/null >"$tmp/purge.log" 2>&1; then
  cat "$tmp/purge.log"; fail "dpkg --purge"
fi
ok "dpkg --purge $(tr '\n' ' ' <<<"$left")"
check "no fundchain package is left" test -z "$(installed_pkgs)"
for d in $DAEMONS; do
  check "/etc/fundchain/$d.conf is gone" test ! -e /etc/fundchain/$d.conf
  check "/var/lib/fundchain/$d is kept" test -s /var/lib/fundchain/$d/data.mdb
  check "the purge says /var/lib/fundchain/$d and /etc/fundchain/keys/$d were kept" \
    eval 'grep -q "fundchain-$d purged. KEPT" "$tmp/purge.log" &&
          grep -qx "  /var/lib/fundchain/$d" "$tmp/purge.log" &&
          grep -qx "  /etc/fundchain/keys/$d" "$tmp/purge.log"'
  check "user ${USER_OF[$d]} is kept" eval 'getent passwd "${USER_OF[$d]}" >/dev/null'
  check "no mask or enablement of fundchain-$d.service is left" \
    eval 'test ! -e /etc/systemd/system/fundchain-$d.service -a ! -L /etc/systemd/system/fundchain-$d.service &&
          test -z "$(find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled \
                     /var/lib/systemd/deb-systemd-helper-masked -name "fundchain-$d.service*" 2>/dev/null)"'
done
check "the last purge says nothing of fundchain is left, and how to remove what was kept" \
  grep -qx "  rm -rf /etc/fundchain /var/lib/fundchain" "$tmp/purge.log"
sed -n 's/^  \(rm -rf .*\)$/\1/p' "$tmp/purge.log" >"$tmp/rm.cmds"
while read -r cmd; do   # the commands the message gave, run as given
  for arg in ${cmd#rm -rf }; do
    case "$arg" in
      /etc/fundchain|/etc/fundchain/*|/var/lib/fundchain|/var/lib/fundchain/*) ;;
      *) fail "the purge message's command removes $arg" ;;
    esac
  done
  $cmd
done <"$tmp/rm.cmds"
check "those commands left no /etc/fundchain, no /var/lib/fundchain" \
  test ! -e /etc/fundchain -a ! -e /var/lib/fundchain
rm -f "$marker"
echo "PACKAGE TEST PASSED"
