#!/usr/bin/env bash
# tests/run.sh - install what is missing, build, and run the whole test suite.
#
# Usage (from any directory):
#   tests/run.sh [OPTIONS] [-DVAR=VALUE ...] [-- CTEST-ARGS ...]
#
#   -DVAR=VALUE      passed to cmake at configure time (any number of them),
#                    e.g. -DPURG_SANITIZE=address,undefined or -DPURG_FUZZ=ON
#   --build-dir DIR  build directory; relative paths are taken from the repo
#                    root (default: build). Use one directory per configuration.
#   --jobs N         parallel build jobs and parallel tests (default: 2)
#   --no-deps        do not check or install Debian packages (or PURG_NO_DEPS=1)
#   --deps-only      install missing packages, then stop
#   --no-test        configure and build, run no test
#   -- ARGS          everything after -- goes to ctest, e.g. -- -L threaded,
#                    -- -R harness, -- -LE integration
#   -h, --help       this text
#
# Always configures with -DPURG_WERROR=ON. CC and CFLAGS in the environment
# reach cmake as usual (e.g. CC=clang tests/run.sh -DPURG_FUZZ=ON).
#
# Packages: tests/packages.txt lists every Debian package needed. Any that
# dpkg-query does not report installed are installed with one apt-get update
# and one apt-get install (as root, or through sudo -n). The ngircd and
# inspircd packages start a system server on port 6667; the tests start their
# own on free ports, so a running system server is stopped (failure to stop
# is harmless).
#
# Sanitizers: ASAN/UBSAN/LSAN/TSAN_OPTIONS get defaults (unless already set)
# that make every report fatal and use the suppression files in
# tests/sanitizer/ for leaks and races inside third-party libraries.
#
# Test labels: unit, fuzz, integration, threaded (tests that start threads;
# CI runs them under ThreadSanitizer with `-- -L threaded`), and the IRC
# server a test runs against: ngircd or inspircd (e.g. -- -L inspircd).
#
# Exit status: ctest's, or the failing step's (configure, build, install).
set -euo pipefail

src_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=build
jobs=2
do_deps=1
deps_only=0
do_test=1
cmake_args=()
ctest_args=()

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
say() { printf 'run.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    -D?*) cmake_args+=("$1") ;;
    -D) [ $# -ge 2 ] || die "-D needs VAR=VALUE"; cmake_args+=("-D$2"); shift ;;
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; build_dir=$2; shift ;;
    --build-dir=*) build_dir=${1#*=} ;;
    --jobs) [ $# -ge 2 ] || die "--jobs needs a number"; jobs=$2; shift ;;
    --jobs=*) jobs=${1#*=} ;;
    --no-deps) do_deps=0 ;;
    --deps-only) deps_only=1 ;;
    --no-test) do_test=0 ;;
    --) shift; ctest_args=("$@"); break ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (try --help; cmake options start with -D, ctest options go after --)" ;;
  esac
  shift
done
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs wants a positive number, not '$jobs'"
[ "${PURG_NO_DEPS:-0}" = 1 ] && do_deps=0
case "$build_dir" in /*) ;; *) build_dir="$src_dir/$build_dir" ;; esac

# --- Debian packages -----------------------------------------------------------

wanted_packages() {
  sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$src_dir/tests/packages.txt"
}

missing_packages() {
  local p st
  for p in $(wanted_packages); do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$st" = installed ] || printf '%s\n' "$p"
  done
}

# The system ngircd and inspircd (started by their packages) are not needed
# by any test; stop them so nothing depends on them by accident. Only the
# packaged services are touched, never the servers that tests start themselves.
stop_system_ircds() {
  local d
  command -v service >/dev/null 2>&1 || return 0
  for d in ngircd inspircd; do
    [ -e "/etc/init.d/$d" ] || continue
    if service "$d" status >/dev/null 2>&1; then
      say "stopping the system $d service (tests run their own servers)"
      service "$d" stop >/dev/null 2>&1 || say "could not stop the system $d (ignored)"
    fi
  done
}

install_deps() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    say "no dpkg-query: not a Debian system; install the packages of tests/packages.txt by hand"
    return 0
  fi
  local missing d sudo=()
  missing=$(missing_packages)
  if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    say "installing missing packages:" $missing
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
      else
        # shellcheck disable=SC2086
        die "not root and no password-less sudo; as root run: apt-get install -y" $missing
      fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q || die "apt-get update failed"
    # shellcheck disable=SC2086
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing \
      || die "apt-get install failed"
    for d in ngircd inspircd; do
      if printf '%s\n' "$missing" | grep -qx "$d"; then
        "${sudo[@]}" update-rc.d "$d" disable >/dev/null 2>&1 || true
      fi
    done
  fi
  if [ "$(id -u)" -eq 0 ]; then
    stop_system_ircds
  fi
}

if [ "$do_deps" = 1 ]; then
  install_deps
fi
[ "$deps_only" = 1 ] && exit 0

# --- configure and build -------------------------------------------------------

say "configure $build_dir ${cmake_args[*]:-}"
cmake -S "$src_dir" -B "$build_dir" -DPURG_WERROR=ON "${cmake_args[@]}" >/dev/null \
  || { rc=$?; say "cmake configure failed (status $rc); its errors are above"; exit "$rc"; }
say "build $build_dir (-j$jobs)"
cmake --build "$build_dir" -j"$jobs" || { rc=$?; say "build failed (status $rc)"; exit "$rc"; }
[ "$do_test" = 1 ] || exit 0

# --- test ------------------------------------------------------------------------

supp="$src_dir/tests/sanitizer"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$supp/lsan.supp:print_suppressions=0}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp}"

# ThreadSanitizer cannot map its shadow memory when the kernel randomises
# mmap with more than 28 bits; running without ASLR works around it.
runner=()
sanitize=$(sed -n 's/^PURG_SANITIZE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
if [[ "$sanitize" == *thread* ]] && [ "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28)" -gt 28 ]; then
  if setarch "$(uname -m)" -R true 2>/dev/null; then
    runner=(setarch "$(uname -m)" -R)
    say "vm.mmap_rnd_bits > 28: running tests without address randomisation for ThreadSanitizer"
  fi
fi

mkdir -p "$build_dir/tests/tmp"
say "ctest in $build_dir (-j$jobs) ${ctest_args[*]:-}"
cd "$build_dir"
rc=0
"${runner[@]}" ctest --output-on-failure -j"$jobs" "${ctest_args[@]}" || rc=$?
exit "$rc"
