#!/usr/bin/env bash
# tests/fuzz/smoke.sh - build the real libFuzzer targets with clang and run
# each for a few seconds, so that a target that no longer builds, crashes on
# its seeds or finds something quickly is caught (CI's fuzz pass).
#
# Usage: tests/fuzz/smoke.sh [--build-dir DIR] [--secs N] [--jobs N] [TARGET...]
#
#   --build-dir DIR  clang build directory (default: build-fuzz; relative to
#                    the repo root); configured with -DPURG_FUZZ=ON
#                    -DPURG_SANITIZE=address,undefined -DPURG_WERROR=ON
#   --secs N         seconds per target (default: 12, or PURG_FUZZ_SECS)
#   --jobs N         parallel build jobs (default: 2)
#   TARGET...        only these (default: every purg_add_fuzz target in
#                    tests/CMakeLists.txt)
#
# Each target starts from a scratch copy of its seeds (tests/fuzz/corpus/NAME,
# for target fuzz_NAME), so the repository's corpus is never written. A crash,
# leak, timeout or sanitizer report keeps the input in the build directory
# (fuzz-artifacts/) and fails the run. Ends with one line:
#   fuzz smoke: N targets, K failed (...), S s of fuzzing
# Exit status: 0 if every target ran clean; 1 if one failed; 2 if the build
# or an argument failed. Needs clang and libclang-rt-14-dev (tests/packages.txt).
set -euo pipefail

src_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=build-fuzz
secs=${PURG_FUZZ_SECS:-12}
jobs=2
targets=()

say() { printf 'fuzz smoke: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) [ $# -ge 2 ] || die "--build-dir needs a directory"; build_dir=$2; shift ;;
    --secs) [ $# -ge 2 ] || die "--secs needs a number"; secs=$2; shift ;;
    --jobs) [ $# -ge 2 ] || die "--jobs needs a number"; jobs=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    -*) die "unknown option '$1' (try --help)" ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[[ "$secs" =~ ^[1-9][0-9]*$ ]] || die "--secs wants a positive number, not '$secs'"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs wants a positive number, not '$jobs'"
case "$build_dir" in /*) ;; *) build_dir="$src_dir/$build_dir" ;; esac
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^purg_add_fuzz(\(fuzz_[a-z_0-9]*\) .*/\1/p' "$src_dir/tests/CMakeLists.txt")
fi
[ "${#targets[@]}" -gt 0 ] || die "no fuzz target found in tests/CMakeLists.txt"
command -v clang >/dev/null || die "clang not found (apt-get install clang libclang-rt-14-dev)"

say "configure and build ${#targets[@]} targets in $build_dir (clang, ASan + UBSan)"
CC=clang CXX=clang++ cmake -S "$src_dir" -B "$build_dir" -DPURG_FUZZ=ON -DPURG_SANITIZE=address,undefined \
  -DPURG_WERROR=ON >/dev/null || die "cmake configure failed"
cmake --build "$build_dir" -j"$jobs" --target "${targets[@]}" || die "build failed"

# Every report is fatal; third-party leaks and races are suppressed as in tests/run.sh.
supp="$src_dir/tests/sanitizer"
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$supp/lsan.supp:print_suppressions=0}"

work=$(mktemp -d "${TMPDIR:-/tmp}/purg-fuzz.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
artifacts="$build_dir/fuzz-artifacts"
mkdir -p "$artifacts"
failed=()
t_all=$SECONDS
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  seeds="$src_dir/tests/fuzz/corpus/$name"
  [ -d "$seeds" ] || { say "$t: no seed directory $seeds"; failed+=("$t"); continue; }
  mkdir -p "$work/$name"
  rc=0
  # the grown corpus goes to the scratch dir (first); the seeds are only read
  "$build_dir/tests/$t" "$work/$name" "$seeds" -max_total_time="$secs" -max_len=4096 \
    -timeout=15 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t-" >"$work/$t.log" 2>&1 || rc=$?
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/$t.log" | tail -n 1 || true)
  if [ "$rc" -eq 0 ]; then
    say "$t: ok: ${done_line:-no DONE line}"
  else
    failed+=("$t")
    say "$t: FAILED (status $rc); the end of its output:"
    tail -n 40 "$work/$t.log" >&2
    ls "$artifacts"/"$t"-* 2>/dev/null | sed 's/^/fuzz smoke:   kept input: /' >&2 || true
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  say "${#targets[@]} targets, ${#failed[@]} failed (${failed[*]}), $((SECONDS - t_all)) s of fuzzing"
  exit 1
fi
say "${#targets[@]} targets, 0 failed, $((SECONDS - t_all)) s of fuzzing ($secs s each)"
