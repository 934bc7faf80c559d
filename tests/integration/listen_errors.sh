#!/usr/bin/env bash
# listen_errors.sh - the listener's clear failures: no sound device, an
# unreachable or unknown server, and bad options. Each exits non-zero with a
# sentence that says what to do, never a crash or a raw error code.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
purg_tmpdir

expect_fail() { # WANT_STATUS ERE ARGS... - run purgatory, check status and stderr
  local want=$1 re=$2 rc=0
  shift 2
  "$PURG_BIN" "$@" >"$PURG_TMP/out" 2>"$PURG_TMP/err" </dev/null || rc=$?
  [ "$rc" -eq "$want" ] || purg_fail "purgatory $*: exit $rc, expected $want; stderr: $(cat "$PURG_TMP/err")"
  grep -Eq -- "$re" "$PURG_TMP/err" || purg_fail "purgatory $*: stderr lacks /$re/: $(cat "$PURG_TMP/err")"
}

# An ALSA configuration whose only device is a card that does not exist:
# what a machine without a sound card looks like to PortAudio.
printf 'pcm.!default { type hw card 99 }\nctl.!default { type hw card 99 }\n' >"$PURG_TMP/nocard.conf"
ALSA_CONFIG_PATH="$PURG_TMP/nocard.conf" \
  expect_fail 1 'no audio output device found; use --output FILE.wav' \
  listen --server 127.0.0.1 --channel '#x'

port=$(purg_free_port)
expect_fail 1 "cannot connect to IRC server 127.0.0.1:$port .*check --server and --port" \
  listen --server 127.0.0.1 --port "$port" --channel '#x' --audio null
expect_fail 1 'cannot connect to IRC server no-such-host.invalid:6667' \
  listen --server no-such-host.invalid --channel '#x' --audio null

expect_fail 2 'required' listen --channel '#x'
expect_fail 2 'not a channel name' listen --server h --channel x
expect_fail 2 'port wants a number' listen --server h --channel '#x' --port 99999
expect_fail 2 "--audio is 'default' or 'null'" listen --server h --channel '#x' --audio loud
expect_fail 1 'cannot write audio file' listen --server h --channel '#x' --output /nonexistent/dir/x.wav
expect_fail 2 'unknown command' fly

"$PURG_BIN" --version | grep -Eq '^purgatory [0-9]+\.[0-9]+' || purg_fail "--version"
# into files, not `| grep -q`: grep stops reading at the first match, and a
# help longer than one pipe buffer then dies of SIGPIPE (a failure under pipefail)
"$PURG_BIN" --help >"$PURG_TMP/help" || purg_fail "--help failed"
grep -q 'listen' "$PURG_TMP/help" || purg_fail "--help lacks listen"
"$PURG_BIN" listen --help >"$PURG_TMP/help" || purg_fail "listen --help failed"
grep -q -- '--output FILE.wav' "$PURG_TMP/help" || purg_fail "listen --help lacks --output"
grep -q -- 'SIGUSR1 re-reads the voices file' "$PURG_TMP/help" || purg_fail "listen --help lacks SIGUSR1"
purg_log ok
