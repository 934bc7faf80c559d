#!/usr/bin/env bash
# lang.sh - the language guess: accuracy per line length on the multilingual
# set made from Debian's fortune packages (tests/unit/langset.h), line by
# line and with the per-nick estimate, for the set's eight languages as a
# list and for `auto`; and the cost of one guess against textclean's cost on
# the same lines, in the same run. See BENCHMARKS.md "Languages".
#
# usage: tests/bench/lang.sh [BUILD_DIR]   (default: build; a Release or
#        RelWithDebInfo build with tests/test_lang_accuracy)
set -euo pipefail
build=${1:-build}
bin=$build/tests/test_lang_accuracy
[ -x "$bin" ] || { echo "lang.sh: no $bin (build the tests first)" >&2; exit 2; }
printf 'machine: %s, %s cores, load %s\n' \
  "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)" "$(nproc)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'espeak-ng %s; libexttextcat %s; CLD2 %s\n' \
  "$(dpkg-query -W -f '${Version}' espeak-ng 2>/dev/null || echo '?')" \
  "$(dpkg-query -W -f '${Version}' libexttextcat-2.0-0 2>/dev/null || echo '?')" \
  "$(dpkg-query -W -f '${Version}' libcld2-0 2>/dev/null || echo '?')"
"$bin" --report
