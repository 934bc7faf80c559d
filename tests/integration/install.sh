#!/usr/bin/env bash
# install.sh - `cmake --install` into a temporary prefix, then the installed
# program on its own: the files are where a Debian system expects them, the
# binary holds no source or build path, and `purgatory demo` works from any
# directory with a bare environment, preparing the bundled personas from the
# Debian fortune packages into ~/.cache (share/purgatory has no models) and
# never touching the source or build tree (checked with strace when there is
# one). Then PURG_DATA_DIR overrides the data directory.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

build=$(cd "$(dirname "$PURG_BIN")" && pwd)
# outside the source and build trees (PURG_TEST_TMP is inside the build tree)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/purg-install.XXXXXX") || purg_fail "no temp dir"
purg_on_exit rm -rf -- "$tmp"
prefix=$tmp/prefix

cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log" >&2; purg_fail "cmake --install failed"; }
for f in bin/purgatory share/man/man1/purgatory.1 \
         share/bash-completion/completions/purgatory \
         share/purgatory/voices/default.ini share/purgatory/demo/prepare.sh \
         share/purgatory/demo/personas/bofh.ini share/purgatory/demo/personas/oracle.ini \
         share/purgatory/demo/personas/prophet.ini share/purgatory/demo/personas/hacker.ini; do
  [ -e "$prefix/$f" ] || purg_fail "not installed: $f"
done
[ -x "$prefix/share/purgatory/demo/prepare.sh" ] || purg_fail "prepare.sh is not executable"
# A sanitizer names each source file in its own metadata (-ffile-prefix-map
# does not reach it); there only the directories themselves must be absent.
sanitized=0
grep -qE '^PURG_SANITIZE:[A-Z]*=.+' "$build/CMakeCache.txt" 2>/dev/null && sanitized=1
match=(-F)
[ "$sanitized" = 0 ] || match=(-xF)
if command -v strings >/dev/null; then
  # into a file first: under pipefail `strings | grep -q` fails when grep
  # stops at a match and strings gets SIGPIPE, and `!` would hide that match
  strings "$prefix/bin/purgatory" >"$tmp/strings.txt"
  for d in "$PURG_SOURCE_DIR" "$build"; do
    ! grep -q "${match[@]}" -- "$d" "$tmp/strings.txt" \
      || purg_fail "the binary holds the path $d"
  done
else
  ! grep -qaF "$PURG_SOURCE_DIR" "$prefix/bin/purgatory" || purg_fail "the binary holds the source path"
fi

# the demo with only the installed files, a bare environment, from elsewhere
mkdir -p "$tmp/home" "$tmp/work"
run_demo() { # OUT ERR [ENV...] - the installed demo, 5 lines, from $tmp/work
  local out=$1 err=$2
  shift 2
  (cd "$tmp/work" && env -i PATH=/usr/bin:/bin HOME="$tmp/home" "$@" \
     "$prefix/bin/purgatory" demo --audio none --lines 5 --seed 7 >"$out" 2>"$err")
}
trace=()
if command -v strace >/dev/null && strace -f -qq -o /dev/null true 2>/dev/null; then
  trace=(strace -f -qq -e trace=%file -o "$tmp/strace.log")
  # LeakSanitizer cannot work under ptrace
  [ "$sanitized" = 0 ] || trace=(ASAN_OPTIONS=detect_leaks=0 "${trace[@]}")
fi
run_demo "$tmp/demo.out" "$tmp/demo.err" "${trace[@]}" || {
  rc=$?; cat "$tmp/demo.err" >&2; purg_fail "the installed demo failed (status $rc)"; }
purg_assert_eq "$(purg_count '^#purgatory <(bofh|oracle|prophet|hacker)> ' "$tmp/demo.out")" 5 \
  "lines of the installed demo"
purg_assert_grep "preparing them in $tmp/home/.cache/purgatory/demo" "$tmp/demo.err" \
  "the first run prepares the personas in the cache"
for p in bofh oracle prophet hacker; do
  [ -s "$tmp/home/.cache/purgatory/demo/models/$p.model" ] || purg_fail "no model for $p in the cache"
done
if [ ${#trace[@]} -gt 0 ]; then
  grep -qF "\"$prefix/share/purgatory/demo/personas" "$tmp/strace.log" \
    || purg_fail "strace saw no read of the installed personas (is it tracing?)"
  if grep -F -e "\"$PURG_SOURCE_DIR" -e "\"$build" "$tmp/strace.log" >"$tmp/touched"; then
    head -5 "$tmp/touched" >&2
    purg_fail "the installed demo touched the source or build tree"
  fi
  purg_log "strace: no file of the source or build tree was touched"
else
  purg_log "no strace: the file-access check is skipped"
fi

# again: the cache is used as it is, without announcing a preparation
run_demo "$tmp/again.out" "$tmp/again.err" || purg_fail "the second installed demo failed"
purg_assert_no_grep "preparing" "$tmp/again.err" "the second run"
cmp -s "$tmp/demo.out" "$tmp/again.out" || purg_fail "the same seed gave another conversation"

# PURG_DATA_DIR: a data directory of our own, with one persona and its corpus
data=$tmp/data
mkdir -p "$data/demo/personas"
printf '%s\n' "the coffee machine is on fire" "the printer reads the manual" \
  "nobody reboots the coffee machine" >"$data/demo/corpus.txt"
printf '[persona]\nnick = solo\ncorpus = ../corpus.txt\norder = 1\nchannels = #purgatory\nchattiness = 5\n' \
  >"$data/demo/personas/solo.ini"
run_demo "$tmp/solo.out" "$tmp/solo.err" PURG_DATA_DIR="$data" || {
  rc=$?; cat "$tmp/solo.err" >&2; purg_fail "the demo with PURG_DATA_DIR failed (status $rc)"; }
purg_assert_eq "$(purg_count '^#purgatory <solo> ' "$tmp/solo.out")" 5 "lines of PURG_DATA_DIR's persona"
purg_log "installed demo ok: $(head -1 "$tmp/demo.out")"
