#!/bin/bash
# Builds the Debian packages with CPack and prints the path of each .deb it
# made, one a line, on stdout (everything else goes to stderr):
#
#     bash deploy/package.sh [BUILD_DIR]        # default: build-deb/
#
# A BUILD_DIR without a CMake cache is configured as a Release build; an
# existing one keeps its build type. Either way it is (re)configured with
# the prefix /usr (the packages' layout) and built. The packages go to
# BUILD_DIR/packages/. Environment:
#   FUNDCHAIN_PKG_VERSION  the packages' version (default: the project's),
#                          e.g. 0.1.0~test1 to make an older build to
#                          upgrade from
#   JOBS                   parallel build jobs (default: the cores)
# Needs cmake, dpkg-dev (dpkg-shlibdeps) and file; as root it installs the
# last two when they are missing.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$top/build-deb}"
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac
version="${FUNDCHAIN_PKG_VERSION:-}"

exec 3>&1 1>&2   # stdout: the .deb paths only
# CPack's DEB generator needs dpkg-shlibdeps (dpkg-dev) and file(1) besides
# cmake; as root, what is missing is installed, as deploy/install-deps.sh does.
missing=""
command -v dpkg-shlibdeps >/dev/null || missing="$missing dpkg-dev"
command -v file >/dev/null || missing="$missing file"
if [ -n "$missing" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "package.sh: installing$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
for tool in cmake cpack dpkg-deb dpkg-shlibdeps file; do
  command -v "$tool" >/dev/null ||
    { echo "package.sh: $tool is missing (apt-get install cmake dpkg-dev file)"; exit 1; }
done
if [ -n "$version" ] && ! [[ "$version" =~ ^[0-9][A-Za-z0-9.+~]*$ ]]; then
  echo "package.sh: FUNDCHAIN_PKG_VERSION='$version' is not a Debian version (digits first, then A-Za-z0-9.+~)"
  exit 2
fi

args=(-DCMAKE_INSTALL_PREFIX=/usr "-DFUNDCHAIN_PKG_VERSION=$version")
[ -f "$build/CMakeCache.txt" ] || args+=(-DCMAKE_BUILD_TYPE=Release)
echo "== configure $build${version:+ (packages version $version)}"
cmake -S "$top" -B "$build" "${args[@]}"
echo "== build"
cmake --build "$build" -j"${JOBS:-$(nproc)}"
echo "== cpack"
rm -f "$build"/packages/*.deb
log="$build/packages/cpack.log"
mkdir -p "$build/packages"
if ! (cd "$build" && cpack -G DEB --config CPackConfig.cmake) >"$log" 2>&1; then
  cat "$log"
  echo "package.sh: cpack failed"
  exit 1
fi
cat "$log"
debs=$(sed -n 's/^CPack: - package: \(.*\.deb\) generated\.$/\1/p' "$log")
if [ -z "$debs" ]; then
  echo "package.sh: cpack made no .deb"
  exit 1
fi
printf '%s\n' "$debs" >&3
