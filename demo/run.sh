#!/usr/bin/env bash
# demo/run.sh - the one-command demo: bots built from corpora join an IRC
# channel and talk to each other, and you hear them.
#
# Usage: demo/run.sh [--seconds N] [--forever] [--port P] [--channel '#purgatory']
#                    [--no-deps] [--bin PURGATORY]
#
# On a fresh Debian machine it installs what is missing (tests/packages.txt,
# through tests/run.sh --deps-only), builds into build/ (or reuses it),
# prepares the bundled personas' corpora and models from Debian packages
# (demo/prepare.sh: fortunes-bofh-excuses, fortunes, bible-kjv, jargon-text;
# nothing is downloaded from elsewhere), starts ngircd on 127.0.0.1, and runs
# `purgatory listen` hosting the personas of demo/personas/ for N seconds
# (default 60; --forever: until Ctrl-C). The sound card speaks; when there is
# none, the audio goes to demo/out/demo.wav instead (it says so).
#
#   --seconds N     how long the personas converse (default 60)
#   --forever       keep going until Ctrl-C
#   --port P        ngircd's port on 127.0.0.1 (default 6667; a free one is
#                   picked when P is taken)
#   --channel C     the channel (default #purgatory)
#   --no-deps       do not check or install Debian packages (or PURG_NO_DEPS=1)
#   --bin PATH      use this purgatory binary instead of building build/
#
# Join the conversation from any IRC client while it runs:
#   irssi -c 127.0.0.1 -p PORT   then   /join #purgatory
set -euo pipefail

demo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src_dir=$(cd "$demo_dir/.." && pwd)
seconds=60
forever=0
port=6667
channel='#purgatory'
deps=1
bin=
say() { printf 'demo: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) [ $# -ge 2 ] || die "--seconds needs a number"; seconds=$2; shift ;;
    --seconds=*) seconds=${1#*=} ;;
    --forever) forever=1 ;;
    --port) [ $# -ge 2 ] || die "--port needs a number"; port=$2; shift ;;
    --port=*) port=${1#*=} ;;
    --channel) [ $# -ge 2 ] || die "--channel needs a name"; channel=$2; shift ;;
    --channel=*) channel=${1#*=} ;;
    --no-deps) deps=0 ;;
    --bin) [ $# -ge 2 ] || die "--bin needs a path"; bin=$2; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
  shift
done
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || die "--seconds wants a positive whole number, not '$seconds'"
{ [[ "$port" =~ ^[1-9][0-9]*$ ]] && [ "$port" -le 65535 ]; } || die "--port wants 1-65535, not '$port'"
[[ "$channel" =~ ^[#\&][^[:space:],]+$ ]] || die "'$channel' is not a channel name (quote it: --channel '#name')"
[ "${PURG_NO_DEPS:-0}" = 1 ] && deps=0

# --- packages and build -----------------------------------------------------------
if [ "$deps" = 1 ]; then
  "$src_dir/tests/run.sh" --deps-only || die "installing the Debian packages failed (see above)"
fi
if [ -z "$bin" ]; then
  say "building into $src_dir/build"
  cmake -S "$src_dir" -B "$src_dir/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null \
    || die "cmake configure failed"
  cmake --build "$src_dir/build" -j2 --target purgatory >/dev/null || die "the build failed"
  bin="$src_dir/build/purgatory"
fi
[ -x "$bin" ] || die "$bin is not an executable"

# --- corpora, models, persona files -------------------------------------------------
"$demo_dir/prepare.sh" --bin "$bin" || die "preparing the corpora and models failed"
out="$demo_dir/out"
mkdir -p "$out/personas"
rm -f "$out/personas/"*.ini
personas=()
for f in "$demo_dir"/personas/*.ini; do
  # the channel given here, paths made absolute
  sed -e "s|^channels *=.*|channels = $channel|" -e "s|= *\.\./|= $demo_dir/|" "$f" \
    >"$out/personas/${f##*/}"
  personas+=(--persona "$out/personas/${f##*/}")
done

# --- ngircd on loopback, started as the tests start it (tests/integration/ircd.sh) ---
command -v ngircd >/dev/null || die "ngircd is not installed (apt-get install ngircd)"
# shellcheck source=tests/integration/ircd.sh
. "$src_dir/tests/integration/ircd.sh"
if ircd_port_open "$port"; then
  old=$port
  port=$(ircd_free_port) || die "port $old is taken and no free port was found"
  say "port $old is taken; using $port"
fi
ircdir="$out/ngircd"
ircd_ngircd_conf "$ircdir" "$port" "purgatory demo" || die "cannot write $ircdir/ngircd.conf"
ngircd_pid=
listener_pid=
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$listener_pid" ] && kill -0 "$listener_pid" 2>/dev/null; then
    kill -TERM "$listener_pid" 2>/dev/null || true
    wait "$listener_pid" 2>/dev/null || true
  fi
  if [ -n "$ngircd_pid" ] && kill -0 "$ngircd_pid" 2>/dev/null; then
    kill -TERM "$ngircd_pid" 2>/dev/null || true
    wait "$ngircd_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ngircd -n -f "$ircdir/ngircd.conf" >"$out/ngircd.log" 2>&1 &
ngircd_pid=$!
rc=0
ircd_wait_accepting "$ngircd_pid" "$port" 5 || rc=$?
case $rc in
  0) ;;
  1) die "ngircd did not start; see $out/ngircd.log" ;;
  *) die "ngircd does not accept connections on port $port; see $out/ngircd.log" ;;
esac

# --- where the sound goes ------------------------------------------------------------------
audio=()
if "$bin" demo --check-audio 2>"$out/audio-check.txt"; then
  say "speaking through the sound card"
else
  mkdir -p "$out"
  rm -f "$out/demo.wav"
  audio=(--output "$out/demo.wav")
  say "no sound card here ($(tr -d '\n' <"$out/audio-check.txt" | sed 's/^purgatory demo: //'));"
  say "writing the audio to $out/demo.wav instead"
fi

# --- the show ----------------------------------------------------------------------------------
cat >&2 <<MSG
demo: the personas talk in $channel on 127.0.0.1:$port. Join them with any IRC client:
demo:     irssi -c 127.0.0.1 -p $port      then   /join $channel
demo: (or weechat: /server add demo 127.0.0.1/$port, /connect demo, /join $channel)
demo: say a persona's name (bofh, oracle, prophet, hacker) and it answers.
MSG
"$bin" listen --server 127.0.0.1 --port "$port" --nick purgatory --channel "$channel" \
  "${audio[@]}" "${personas[@]}" &
listener_pid=$!
if [ "$forever" = 1 ]; then
  say "running until Ctrl-C"
  wait "$listener_pid" || true
else
  say "running for $seconds s (--forever to keep going)"
  end=$((SECONDS + seconds))
  while [ "$SECONDS" -lt "$end" ] && kill -0 "$listener_pid" 2>/dev/null; do
    sleep 0.2
  done
  kill -0 "$listener_pid" 2>/dev/null || { wait "$listener_pid"; rc=$?; die "the listener stopped early (status $rc)"; }
fi
kill -TERM "$listener_pid" 2>/dev/null || true
rc=0
wait "$listener_pid" || rc=$?
listener_pid=
[ "$rc" = 0 ] || die "the listener exited with status $rc"
if [ ${#audio[@]} -gt 0 ]; then
  say "wrote $out/demo.wav"
fi
