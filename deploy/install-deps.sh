#!/bin/sh
# Installs the Debian 12 packages the product needs to build, test and run.
# Safe to run again: it installs only what is missing.
set -eu
PKGS="build-essential cmake pkg-config python3 clang libclang-rt-14-dev
      libczmq-dev libzmq3-dev libprotobuf-c-dev protobuf-c-compiler
      liblmdb-dev lmdb-utils libcmocka-dev libcsv-dev libjansson-dev
      libsystemd-dev libmicrohttpd-dev libsodium-dev scdoc systemd dpkg-dev file curl
      libxlsxwriter-dev python3-openpyxl chromium chromium-driver python3-selenium
      python3-pil fonts-wqy-zenhei"
missing=""
for p in $PKGS; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
