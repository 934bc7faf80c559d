# tests/integration/lib.sh - helpers for integration tests; source it from bash.
# shellcheck shell=bash disable=SC2034  # variables set here are for the sourcing test
#
# A test looks like:
#
#   #!/usr/bin/env bash
#   set -euo pipefail
#   . "$(dirname "$0")/lib.sh"
#   purg_tmpdir                      # private dir in $PURG_TMP, removed on exit
#   purg_start_ngircd                # real ngircd on a free port: $PURG_IRC_PORT
#   purg_alsa_file_env               # PortAudio "plays" into $PURG_ALSA_FILE
#   purg_start_listener --nick ear --channel '#a'
#   purg_ircpeer --channel '#a' --wait-nick ear --line 'alice|hello there'
#   purg_wait_for 'hello there' "$PURG_LISTENER_OUT" 10
#   purg_stop_listener || purg_fail "listener exited with status $?"
#   read -r secs rms < <(purg_audio_stats "$PURG_ALSA_FILE")
#   purg_assert_ge "$secs" 0.5 "seconds of audio played"
#
# Environment (ctest's purg_add_script sets the first three):
#   PURG_BIN         the built purgatory binary
#   PURG_SOURCE_DIR  the source tree (default: two levels above this file)
#   PURG_TEST_TMP    where private temp dirs go (default: mktemp's default)
#   PURG_KEEP=1      keep the temp dir after the test, and say where it is
#   PURG_PYTHON      python interpreter for ircpeer.py (default: python3)
#
# Everything a test starts in the background (purg_spawn, the listener,
# ngircd) is stopped when the test exits, and its stdout and stderr are kept
# in files in $PURG_TMP; when a test fails, the tails of those files are
# printed, so ctest --output-on-failure shows what each process said.
#
# The test's own copies of the ngircd template and of the file-backed ALSA
# configuration live beside this file, so the repository is self-contained.
#
# Helpers that start processes or set variables must run in the test's own
# shell, never inside $( ... ).

PURG_SOURCE_DIR=${PURG_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PURG_PYTHON=${PURG_PYTHON:-python3}
PURG_INTEGRATION_DIR="$PURG_SOURCE_DIR/tests/integration"
# shellcheck source=tests/integration/ircd.sh
. "$PURG_INTEGRATION_DIR/ircd.sh"   # ngircd start-up, shared with demo/run.sh
PURG_TEST_NAME=${PURG_TEST_NAME:-$(basename "$0" .sh)}
export PURG_SOURCE_DIR

# Every link paces what it sends to one line per 1.25 s after a burst of 5
# (src/ircbridge.h), as strict networks demand. Tests run against servers
# without flood limits and would spend most of their time waiting, so they
# pace at 20 ms unless PURG_IRC_TIMING says otherwise; tests that set their
# own PURG_IRC_TIMING add pace=20 themselves, and `pacing` measures the real
# budget.
# Against InspIRCd (PURG_IRCD=inspircd), whose flood rules are the point,
# the real pacing stays. purg_pace gives the pace part for a test's own
# PURG_IRC_TIMING.
purg_pace() { [ "${PURG_IRCD:-ngircd}" = inspircd ] || printf ',pace=20'; }
export PURG_IRC_TIMING=${PURG_IRC_TIMING:-$(purg_pace | cut -c2-)}

declare -gA _purg_pids=()       # name -> pid of what purg_spawn started
declare -gA _purg_status=()     # name -> exit status, once collected
declare -ga _purg_order=()      # names in start order (stopped in reverse)
declare -ga _purg_hooks=()      # purg_on_exit commands (run in reverse)
_purg_t0=${EPOCHREALTIME/./}

# --- messages and assertions --------------------------------------------------

# purg_log MSG... - a progress line on stderr, with seconds since the start.
purg_log() {
  local now=${EPOCHREALTIME/./}
  printf '[%s %6.2fs] %s\n' "$PURG_TEST_NAME" \
    "$(awk -v a="$_purg_t0" -v b="$now" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')" "$*" >&2
}

# purg_fail MSG... - the test fails: says why, then exits 1 (the exit hook
# prints the logs of every process the test started).
purg_fail() {
  printf 'FAIL [%s]: %s\n' "$PURG_TEST_NAME" "$*" >&2
  exit 1
}

# purg_assert_eq ACTUAL EXPECTED WHAT
purg_assert_eq() {
  [ "$1" = "$2" ] || purg_fail "$3: expected '$2', got '$1'"
}

# purg_assert_ge ACTUAL MIN WHAT / purg_assert_le ACTUAL MAX WHAT - numbers,
# fractions allowed.
purg_assert_ge() {
  awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }' \
    || purg_fail "$3: expected at least $2, got $1"
}
purg_assert_le() {
  awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }' \
    || purg_fail "$3: expected at most $2, got $1"
}

# purg_count ERE FILE - prints how many lines of FILE match (0 if no file).
purg_count() {
  local n
  n=$(grep -E -c -- "$1" "$2" 2>/dev/null) || true
  printf '%s\n' "${n:-0}"
}

# purg_assert_grep ERE FILE WHAT / purg_assert_no_grep ERE FILE WHAT
purg_assert_grep() {
  grep -E -q -- "$1" "$2" 2>/dev/null \
    || purg_fail "$3: no line matching /$1/ in $2"
}
purg_assert_no_grep() {
  local hit
  hit=$(grep -E -m1 -- "$1" "$2" 2>/dev/null) || return 0
  purg_fail "$3: unexpected line matching /$1/ in $2: $hit"
}

# --- the private temp dir and the exit hook ------------------------------------

# purg_tmpdir - create the test's private dir and set PURG_TMP to it; the
# dir and everything started by these helpers go away when the test exits
# (the dir stays if PURG_KEEP=1). Idempotent; other helpers call it.
purg_tmpdir() {
  [ -n "${PURG_TMP:-}" ] && [ -d "$PURG_TMP" ] && return 0
  if [ -n "${PURG_TEST_TMP:-}" ]; then
    mkdir -p "$PURG_TEST_TMP" || purg_fail "cannot create PURG_TEST_TMP=$PURG_TEST_TMP"
    PURG_TMP=$(mktemp -d "$PURG_TEST_TMP/$PURG_TEST_NAME.XXXXXX") \
      || purg_fail "cannot create a temp dir in $PURG_TEST_TMP"
  else
    PURG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/purg-$PURG_TEST_NAME.XXXXXX") \
      || purg_fail "cannot create a temp dir"
  fi
  # Traversable but not listable: a server that drops root to nobody (ngircd)
  # can still reach its own subdirectory.
  chmod 0711 "$PURG_TMP"
  export PURG_TMP
  trap _purg_exit EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# purg_on_exit CMD [ARGS...] - run CMD when the test exits, before the temp
# dir is removed (hooks run last-registered first).
purg_on_exit() {
  local q
  printf -v q '%q ' "$@"
  _purg_hooks+=("$q")
}

_purg_exit() {
  local status=$? i name f
  set +e
  trap - EXIT HUP INT TERM
  for ((i = ${#_purg_order[@]} - 1; i >= 0; i--)); do
    name=${_purg_order[i]}
    [ -n "${_purg_pids[$name]:-}" ] || continue
    if _purg_alive "${_purg_pids[$name]}"; then
      _purg_kill "$name" 5 >/dev/null 2>&1
    fi
  done
  for ((i = ${#_purg_hooks[@]} - 1; i >= 0; i--)); do
    eval "${_purg_hooks[i]}" || true
  done
  if [ "$status" -ne 0 ] && [ -n "${PURG_TMP:-}" ] && [ -d "$PURG_TMP" ]; then
    for f in "$PURG_TMP"/*.out "$PURG_TMP"/*.err "$PURG_TMP"/*.log; do
      [ -s "$f" ] || continue
      printf -- '--- last lines of %s ---\n' "${f##*/}" >&2
      tail -n 25 "$f" >&2
    done
    printf -- '--- [%s] failed with status %s ---\n' "$PURG_TEST_NAME" "$status" >&2
  fi
  if [ -n "${PURG_TMP:-}" ] && [ -d "$PURG_TMP" ]; then
    if [ "${PURG_KEEP:-0}" = 1 ]; then
      printf '[%s] kept %s\n' "$PURG_TEST_NAME" "$PURG_TMP" >&2
    else
      rm -rf -- "$PURG_TMP"
    fi
  fi
  exit "$status"
}

# --- background processes ----------------------------------------------------------

# True while PID runs (a zombie, exited but not yet waited for, counts as gone).
_purg_alive() {
  local st
  [ -n "${1:-}" ] || return 1
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [ "${st%% *}" != Z ]
}

# purg_spawn NAME CMD [ARGS...] - start CMD in the background with stdin from
# /dev/null, stdout in $PURG_TMP/NAME.out, stderr in $PURG_TMP/NAME.err.
# purg_pid NAME prints its pid; purg_wait / purg_stop collect its status;
# purg_forget NAME frees the name for another purg_spawn.
purg_spawn() {
  local name=$1
  shift
  purg_tmpdir
  [ -z "${_purg_pids[$name]:-}" ] || purg_fail "purg_spawn: '$name' was already started"
  "$@" </dev/null >"$PURG_TMP/$name.out" 2>"$PURG_TMP/$name.err" &
  _purg_pids[$name]=$!
  unset '_purg_status[$name]'
  [[ " ${_purg_order[*]} " == *" $name "* ]] || _purg_order+=("$name")
}

purg_pid() { printf '%s\n' "${_purg_pids[$1]:-}"; }

# purg_forget NAME - forget NAME, a process that has exited or was stopped
# (purg_stop, purg_wait), or an alias (purg_alias), so that purg_spawn NAME
# may start another. Its log files stay: move them first to keep them, or
# the new process overwrites them. Forgetting a process that still runs
# under no other name fails the test (nothing would stop it at exit).
purg_forget() {
  local name=$1 pid=${_purg_pids[$1]:-} other
  if [ -n "$pid" ] && _purg_alive "$pid"; then
    for other in "${!_purg_pids[@]}"; do
      [ "$other" != "$name" ] && [ "${_purg_pids[$other]}" = "$pid" ] && pid=
    done
    [ -z "$pid" ] || purg_fail "purg_forget: '$name' (pid $pid) still runs; stop it first"
  fi
  unset '_purg_pids[$name]' '_purg_status[$name]'
}

# purg_alias ALIAS NAME - ALIAS names NAME's process too: purg_pid,
# purg_running, purg_stop and purg_wait take either name. A test that spawns
# listeners under names of its own makes one of them `listener` this way, so
# that purg_wait_for stops waiting when it exits and purg_stop_listener stops
# it. ALIAS must be free (purg_forget it first).
purg_alias() {
  [ -n "${_purg_pids[$2]:-}" ] || purg_fail "purg_alias: nothing called '$2' was started"
  [ -z "${_purg_pids[$1]:-}" ] || purg_fail "purg_alias: '$1' is taken; purg_forget it first"
  _purg_pids[$1]=${_purg_pids[$2]}
  unset '_purg_status[$1]'
}

# purg_running NAME - true while NAME runs.
purg_running() { _purg_alive "${_purg_pids[$1]:-}"; }

# Wait up to SECS for NAME to exit by itself; 0 if it did.
_purg_wait_gone() {
  local pid=${_purg_pids[$1]} end
  end=$(( ${EPOCHREALTIME/./} + $(_purg_usec "$2") ))
  while _purg_alive "$pid"; do
    (( ${EPOCHREALTIME/./} < end )) || return 1
    sleep 0.05
  done
}

# Collect NAME's exit status (128+N when killed by signal N); NAME must have
# exited. Asking again gives the same status.
_purg_reap() {
  local rc=0
  if [ -z "${_purg_status[$1]:-}" ]; then
    wait "${_purg_pids[$1]}" 2>/dev/null || rc=$?
    _purg_status[$1]=$rc
  fi
  return "${_purg_status[$1]}"
}

# SIGTERM, up to SECS for a clean exit, then SIGKILL. Returns NAME's status,
# or 124 when it had to be killed.
_purg_kill() {
  local name=$1 pid=${_purg_pids[$1]} rc=0
  if [ -n "${_purg_status[$name]:-}" ]; then
    return "${_purg_status[$name]}"
  fi
  kill -TERM "$pid" 2>/dev/null || true
  if ! _purg_wait_gone "$name" "$2"; then
    printf '[%s] %s (pid %s) ignored SIGTERM for %ss; killing it\n' \
      "$PURG_TEST_NAME" "$name" "$pid" "$2" >&2
    kill -KILL "$pid" 2>/dev/null || true
    _purg_reap "$name" || true
    _purg_status[$name]=124
    return 124
  fi
  _purg_reap "$name" || rc=$?
  return "$rc"
}

# purg_wait NAME [SECS=30] - wait for NAME to finish by itself and return its
# exit status; after SECS it is killed and the status is 124.
purg_wait() {
  local name=$1 secs=${2:-30} rc=0
  [ -n "${_purg_pids[$name]:-}" ] || purg_fail "purg_wait: nothing called '$name' was started"
  if ! _purg_wait_gone "$name" "$secs"; then
    printf '[%s] %s still running after %ss; stopping it\n' "$PURG_TEST_NAME" "$name" "$secs" >&2
    _purg_kill "$name" 3 || true
    _purg_status[$name]=124
    return 124
  fi
  _purg_reap "$name" || rc=$?
  return "$rc"
}

# purg_stop NAME [SECS=10] - SIGTERM, then NAME's exit status; 124 if it
# did not exit within SECS (it is then killed). A process that has already
# exited just gives its status.
purg_stop() {
  local name=$1 secs=${2:-10} rc=0
  [ -n "${_purg_pids[$name]:-}" ] || purg_fail "purg_stop: nothing called '$name' was started"
  _purg_kill "$name" "$secs" || rc=$?
  return "$rc"
}

# --- waiting for output --------------------------------------------------------------

_purg_usec() { awk -v s="$1" 'BEGIN { printf "%d", s * 1000000 }'; }

# purg_wait_for ERE FILE SECS [COUNT=1] - wait until FILE has COUNT lines
# matching ERE. Returns 1, with a message, after SECS, or as soon as the
# listener (if one was started) has exited without producing them.
purg_wait_for() {
  local re=$1 file=$2 secs=$3 want=${4:-1} end n
  end=$(( ${EPOCHREALTIME/./} + $(_purg_usec "$secs") ))
  while :; do
    n=$(purg_count "$re" "$file")
    (( n >= want )) && return 0
    if [ -n "${_purg_pids[listener]:-}" ] && ! purg_running listener; then
      n=$(purg_count "$re" "$file")
      (( n >= want )) && return 0
      printf '[%s] the listener exited while waiting for %s line(s) matching /%s/ in %s (saw %s)\n' \
        "$PURG_TEST_NAME" "$want" "$re" "$file" "$n" >&2
      return 1
    fi
    if (( ${EPOCHREALTIME/./} >= end )); then
      printf '[%s] timed out after %ss waiting for %s line(s) matching /%s/ in %s (saw %s)\n' \
        "$PURG_TEST_NAME" "$secs" "$want" "$re" "$file" "$n" >&2
      return 1
    fi
    sleep 0.05
  done
}

# --- ports and the IRC server ----------------------------------------------------------

# purg_free_port - prints a TCP port on 127.0.0.1 that nothing listens on.
# Picked below the kernel's ephemeral range so that outgoing connections of
# parallel tests do not take it between now and its use.
purg_free_port() { ircd_free_port; }

# True once something accepts TCP connections on 127.0.0.1:PORT.
# purg_start_ngircd [CONF_SNIPPET_FILE...] - start a real ngircd on a free
# loopback port from tests/integration/ngircd.conf.in (flood penalties off),
# wait until it accepts connections, export PURG_IRC_PORT. Snippet files
# (e.g. an [SSL] section) are copied into its conf.d/ (their names must end
# in .conf). Sets PURG_NGIRCD_PID and PURG_NGIRCD_LOG ($PURG_TMP/ngircd.out),
# and PURG_IRC_BULK_PORT (the same port) and PURG_IRC_SERVER=ngircd.
# It is stopped when the test exits.
purg_start_ngircd() {
  local dir attempt port f rc
  command -v ngircd >/dev/null || purg_fail "ngircd not found (apt-get install ngircd)"
  purg_tmpdir
  dir="$PURG_TMP/ngircd"
  mkdir -p "$dir/conf.d"
  for f in "$@"; do
    cp -- "$f" "$dir/conf.d/" || purg_fail "purg_start_ngircd: cannot copy $f"
  done
  for attempt in 1 2 3 4 5; do
    port=$(purg_free_port) || purg_fail "no free port for ngircd"
    ircd_ngircd_conf "$dir" "$port" || purg_fail "purg_start_ngircd: cannot write $dir/ngircd.conf"
    if [ -n "${_purg_pids[ngircd]:-}" ]; then   # an earlier attempt died
      mv -f "$PURG_TMP/ngircd.out" "$PURG_TMP/ngircd-attempt$((attempt - 1)).log" 2>/dev/null || true
      purg_forget ngircd
    fi
    purg_spawn ngircd ngircd -n -f "$dir/ngircd.conf"
    rc=0
    ircd_wait_accepting "${_purg_pids[ngircd]}" "$port" 5 || rc=$?
    if [ "$rc" = 0 ]; then
      export PURG_IRC_PORT=$port PURG_IRC_BULK_PORT=$port PURG_IRC_SERVER=ngircd
      PURG_NGIRCD_PID=${_purg_pids[ngircd]}
      PURG_NGIRCD_LOG="$PURG_TMP/ngircd.out"
      return 0
    fi
    if [ "$rc" = 2 ]; then
      purg_fail "ngircd (pid ${_purg_pids[ngircd]}) does not accept connections on port $port after 5 s"
    fi
    _purg_reap ngircd || true
  done
  purg_fail "ngircd failed to start 5 times; see the ngircd logs above"
}

# _purg_irc_welcome PORT SECS - true once a client registering on
# 127.0.0.1:PORT gets 001 (the welcome) within SECS.
_purg_irc_welcome() {
  "$PURG_PYTHON" - "$1" "$2" <<'EOF' 2>/dev/null
import socket, sys, time
end = time.time() + float(sys.argv[2])
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=float(sys.argv[2]))
s.sendall(b"NICK purgprobe\r\nUSER probe 0 * :probe\r\n")
buf = b""
while time.time() < end:
    s.settimeout(max(0.05, end - time.time()))
    data = s.recv(4096)
    if not data:
        sys.exit(1)
    buf += data
    *lines, buf = buf.split(b"\r\n")
    for line in lines:
        parts = line.split(b" ")
        if len(parts) > 1 and parts[0].startswith(b":") and parts[1] == b"001":
            s.sendall(b"QUIT\r\n")
            sys.exit(0)
        if parts[0] == b"PING":
            s.sendall(b"PONG " + b" ".join(parts[1:]) + b"\r\n")
sys.exit(1)
EOF
}

# purg_start_inspircd - start InspIRCd 3 on free loopback ports from
# tests/integration/inspircd.conf.in: PURG_IRC_PORT has the flood rules
# InspIRCd ships (a kill, "Excess Flood", for more than ~1 command a second
# sustained, PINGs included; no fake lag), PURG_IRC_BULK_PORT has no flood
# limit (for clients that send bursts on purpose). Waits until a client gets
# its welcome (001, ~1 s after connecting). Sets PURG_IRC_SERVER=inspircd,
# PURG_INSPIRCD_PID and PURG_INSPIRCD_LOG ($PURG_TMP/inspircd/ircd.log:
# quits, kills, config errors). Modules: botmode (+B, BOT=), the IRCv3 ones,
# namesx, uhnames, chanhistory, customprefix (+a, shown as '!nick').
# It is stopped when the test exits.
purg_start_inspircd() {
  local dir attempt port bport end
  command -v inspircd >/dev/null || purg_fail "inspircd not found (apt-get install inspircd)"
  purg_tmpdir
  dir="$PURG_TMP/inspircd"
  mkdir -p "$dir"
  printf 'purgatory test server\n' >"$dir/motd.txt"
  for attempt in 1 2 3 4 5; do
    port=$(purg_free_port) || purg_fail "no free port for inspircd"
    bport=$(purg_free_port) || purg_fail "no free port for inspircd"
    [ "$port" != "$bport" ] || continue
    sed -e "s|@PORT@|$port|g" -e "s|@BULKPORT@|$bport|g" -e "s|@DIR@|$dir|g" \
      "$PURG_INTEGRATION_DIR/inspircd.conf.in" >"$dir/inspircd.conf"
    if [ -n "${_purg_pids[inspircd]:-}" ]; then   # an earlier attempt died
      mv -f "$PURG_TMP/inspircd.out" "$PURG_TMP/inspircd-attempt$((attempt - 1)).log" 2>/dev/null || true
      unset '_purg_pids[inspircd]'
    fi
    purg_spawn inspircd inspircd --nofork --runasroot --nopid --config "$dir/inspircd.conf"
    end=$(( ${EPOCHREALTIME/./} + 10000000 ))
    while purg_running inspircd && (( ${EPOCHREALTIME/./} < end )); do
      if ircd_port_open "$port" && _purg_irc_welcome "$port" 5; then
        export PURG_IRC_PORT=$port PURG_IRC_BULK_PORT=$bport PURG_IRC_SERVER=inspircd
        PURG_INSPIRCD_PID=${_purg_pids[inspircd]}
        PURG_INSPIRCD_LOG="$dir/ircd.log"
        return 0
      fi
      sleep 0.05
    done
    if purg_running inspircd; then
      purg_fail "inspircd (pid ${_purg_pids[inspircd]}) does not welcome clients on port $port after 10 s"
    fi
    _purg_reap inspircd || true
  done
  purg_fail "inspircd failed to start 5 times; see the inspircd logs above"
}

# purg_start_ircd [NGIRCD_CONF_SNIPPET...] - start the server named by
# PURG_IRCD: ngircd (the default) or inspircd. Either way PURG_IRC_PORT,
# PURG_IRC_BULK_PORT (no flood limit; the same port under ngircd, whose
# penalties are off) and PURG_IRC_SERVER (the server's name) are set.
# Snippets are for ngircd only.
purg_start_ircd() {
  case "${PURG_IRCD:-ngircd}" in
    ngircd) purg_start_ngircd "$@" ;;
    inspircd)
      [ $# -eq 0 ] || purg_fail "purg_start_ircd: config snippets are for ngircd only"
      purg_start_inspircd ;;
    *) purg_fail "PURG_IRCD='$PURG_IRCD': expected ngircd or inspircd" ;;
  esac
}

# purg_restart_ircd SIGNAL - stop the test server (started by
# purg_start_ircd) with SIGNAL and start it again with the same config on
# the same port(s); returns once it accepts connections (ngircd) or
# welcomes a client (inspircd). Earlier logs go to $PURG_TMP/NAME-all.log.
purg_restart_ircd() {
  local name=${PURG_IRC_SERVER:-ngircd} end cmd
  case "$name" in
    ngircd) cmd=(ngircd -n -f "$PURG_TMP/ngircd/ngircd.conf") ;;
    inspircd) cmd=(inspircd --nofork --runasroot --nopid --config "$PURG_TMP/inspircd/inspircd.conf") ;;
    *) purg_fail "purg_restart_ircd: unknown server '$name'" ;;
  esac
  kill -"$1" "$(purg_pid "$name")" 2>/dev/null || true
  purg_wait "$name" 5 >/dev/null || true
  cat "$PURG_TMP/$name.out" >>"$PURG_TMP/$name-all.log" 2>/dev/null || true
  unset "_purg_pids[$name]"
  purg_spawn "$name" "${cmd[@]}"
  end=$(( ${EPOCHREALTIME/./} + 10000000 ))
  until ircd_port_open "$PURG_IRC_PORT" \
        && { [ "$name" = ngircd ] || _purg_irc_welcome "$PURG_IRC_PORT" 5; }; do
    purg_running "$name" || purg_fail "$name did not restart on port $PURG_IRC_PORT"
    (( ${EPOCHREALTIME/./} < end )) || purg_fail "$name not accepting after restart"
    sleep 0.02
  done
  case "$name" in
    ngircd) PURG_NGIRCD_PID=$(purg_pid ngircd) ;;
    inspircd) PURG_INSPIRCD_PID=$(purg_pid inspircd) ;;
  esac
}

# --- audio ----------------------------------------------------------------------------

# purg_alsa_file_env [NAME=played] - route PortAudio's "default" device into
# the raw file $PURG_TMP/NAME.raw (exported as PURG_ALSA_FILE): interleaved
# s16le, the stream's own rate and channels (22050 Hz stereo for purgatory).
# The device runs faster than real time: the file shows what was played and
# in which order, not when.
purg_alsa_file_env() {
  purg_tmpdir
  export ALSA_CONFIG_PATH="$PURG_INTEGRATION_DIR/asound-file.conf"
  export PURG_ALSA_FILE="$PURG_TMP/${1:-played}.raw"
}

# purg_start_pulse - a private PulseAudio server with a null sink (22050 Hz
# stereo) as the default ALSA device: PortAudio plays into it in real time,
# at the wall clock's pace, as on a sound card (the file device above does
# not). Needs pulseaudio, pulseaudio-utils and libasound2-plugins.
purg_start_pulse() {
  command -v pulseaudio >/dev/null \
    || purg_fail "pulseaudio not installed (apt-get install pulseaudio pulseaudio-utils libasound2-plugins)"
  purg_tmpdir
  local d=$PURG_TMP/pulse i
  mkdir -p "$d/run"
  export XDG_RUNTIME_DIR=$d/run PULSE_SERVER=unix:$d/run/native
  printf '%s\n' 'load-module module-null-sink sink_name=nullsink rate=22050 channels=2 format=s16le' \
    'set-default-sink nullsink' >"$d/null.pa"
  HOME=$d purg_spawn pulse pulseaudio -n -F "$d/null.pa" \
    --load="module-native-protocol-unix auth-anonymous=1 socket=$d/run/native" \
    --daemonize=no --exit-idle-time=-1 --use-pid-file=no --log-target=stderr
  printf 'pcm.!default { type pulse; server "unix:%s/run/native" }\nctl.!default { type pulse; server "unix:%s/run/native" }\n' \
    "$d" "$d" >"$d/asound.conf"
  export ALSA_CONFIG_PATH=$d/asound.conf
  for i in $(seq 50); do [ -S "$d/run/native" ] && return 0; sleep 0.1; done
  purg_fail "PulseAudio did not start; see $PURG_TMP/pulse.err"
}

# purg_thread_stat PID NAME - "VOLUNTARY NONVOLUNTARY" context switches of
# the thread of PID named NAME (util_thread_name), or "0 0" if it has none.
purg_thread_stat() {
  local t
  for t in /proc/"$1"/task/*; do
    [ "$(cat "$t/comm" 2>/dev/null)" = "$2" ] || continue
    awk '$1 == "voluntary_ctxt_switches:" { v = $2 } $1 == "nonvoluntary_ctxt_switches:" { n = $2 }
      END { print v + 0, n + 0 }' "$t/status"
    return 0
  done
  echo "0 0"
}

# Prints "SECONDS RMS" from the output of sox's stat effect.
_purg_sox_stat() {
  local out
  out=$(sox "$@" -n stat 2>&1) || { printf 'sox failed on %s: %s\n' "${*: -1}" "$out" >&2; return 1; }
  awk -F: '
    /^Length \(seconds\)/ { len = $2 + 0 }
    /^RMS +amplitude/     { rms = $2 + 0 }
    END { printf "%.6f %.6f\n", len, rms }' <<<"$out"
}

# purg_audio_stats FILE.raw [RATE=22050] [CHANNELS=2] - prints
# "DURATION_SECONDS RMS_AMPLITUDE" (RMS on a 0..1 scale) for raw s16le
# samples; "0.000000 0.000000" for an empty or missing file.
purg_audio_stats() {
  local f=$1 rate=${2:-22050} ch=${3:-2}
  if [ ! -s "$f" ]; then
    printf '0.000000 0.000000\n'
    return 0
  fi
  _purg_sox_stat -t raw -r "$rate" -e signed -b 16 -c "$ch" "$f"
}

# purg_wav_stats FILE.wav - the same for a WAV (or any sox-readable) file.
purg_wav_stats() {
  [ -s "$1" ] || purg_fail "purg_wav_stats: $1 is missing or empty"
  _purg_sox_stat "$1"
}

# --- the IRC test peer ---------------------------------------------------------------

# purg_ircpeer ARGS... - run tests/integration/ircpeer.py in the foreground
# against the test's ngircd (--port $PURG_IRC_PORT is given first, so an
# explicit --port wins). See ircpeer.py --help.
purg_ircpeer() {
  "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/ircpeer.py" ${PURG_IRC_PORT:+--port "$PURG_IRC_PORT"} "$@"
}

# purg_ircpeer_bg NAME ARGS... - the same in the background (logs in
# $PURG_TMP/NAME.out and NAME.err); collect it with purg_wait NAME.
purg_ircpeer_bg() {
  local name=$1
  shift
  purg_spawn "$name" "$PURG_PYTHON" "$PURG_INTEGRATION_DIR/ircpeer.py" \
    ${PURG_IRC_PORT:+--port "$PURG_IRC_PORT"} "$@"
}

# --- the listener -------------------------------------------------------------------

# purg_start_listener ARGS... - start "$PURG_BIN" listen ARGS in the
# background; when a test ngircd runs and ARGS have no --server, then
# "--server 127.0.0.1 --port $PURG_IRC_PORT" come first. Sets
# PURG_LISTENER_PID, PURG_LISTENER_OUT (its stdout: one line per utterance)
# and PURG_LISTENER_ERR (its stderr).
purg_start_listener() {
  local a pre=()
  [ -n "${PURG_BIN:-}" ] && [ -x "$PURG_BIN" ] \
    || purg_fail "PURG_BIN='${PURG_BIN:-}' is not an executable; run through ctest, or set PURG_BIN=build/purgatory"
  if [ -n "${PURG_IRC_PORT:-}" ]; then
    pre=(--server 127.0.0.1 --port "$PURG_IRC_PORT")
    for a in "$@"; do
      case "$a" in --server|--server=*) pre=() ;; esac
    done
  fi
  purg_spawn listener "$PURG_BIN" listen "${pre[@]}" "$@"
  PURG_LISTENER_PID=${_purg_pids[listener]}
  PURG_LISTENER_OUT="$PURG_TMP/listener.out"
  PURG_LISTENER_ERR="$PURG_TMP/listener.err"
}

# purg_stop_listener [SECS=10] - SIGTERM the listener and return its exit
# status (also in PURG_LISTENER_STATUS); 124 if it did not exit within SECS.
# Use as: purg_stop_listener || purg_fail "listener exited with $?"
purg_stop_listener() {
  PURG_LISTENER_STATUS=0
  purg_stop listener "${1:-10}" || PURG_LISTENER_STATUS=$?
  return "$PURG_LISTENER_STATUS"
}
