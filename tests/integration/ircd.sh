# tests/integration/ircd.sh - ngircd on loopback, started the one way both
# the tests (lib.sh: purg_start_ngircd, purg_restart_ircd, purg_free_port)
# and the demo (demo/run.sh) use. Source it from bash: it defines functions
# only. ircd_free_port needs python3 (or $PURG_PYTHON).
# shellcheck shell=bash

IRCD_SH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ircd_port_open PORT - true when something accepts connections on 127.0.0.1:PORT.
ircd_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ircd_free_port - prints a TCP port on 127.0.0.1 that nothing listens on
# (20000-31999, away from the usual ones); fails when there is none.
ircd_free_port() {
  "${PURG_PYTHON:-python3}" - <<'PY'
import random, socket, sys
for _ in range(200):
    port = random.randrange(20000, 32000)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    sys.exit(0)
sys.exit("no free port found in 20000-31999")
PY
}

# ircd_ngircd_conf DIR PORT [INFO] - write DIR/ngircd.conf for an ngircd on
# 127.0.0.1:PORT from ngircd.conf.in beside this file (flood penalties off,
# snippets from DIR/conf.d/), readable by the user ngircd drops root to.
# INFO replaces the server's info line ("purgatory test server").
ircd_ngircd_conf() {
  local dir=$1 port=$2 info=${3:-purgatory test server}
  mkdir -p "$dir/conf.d" || return 1
  sed -e "s|@PORT@|$port|g" -e "s|@DIR@|$dir|g" -e "s|purgatory test server|$info|" \
    "$IRCD_SH_DIR/ngircd.conf.in" >"$dir/ngircd.conf" || return 1
  chmod -R a+rX "$dir"
}

# ircd_wait_accepting PID PORT SECS - wait until 127.0.0.1:PORT accepts
# connections. Returns 0 then; 1 when process PID ends first (a zombie counts
# as ended); 2 after SECS seconds (decimals allowed).
ircd_wait_accepting() {
  local pid=$1 port=$2 end st
  end=$(( ${EPOCHREALTIME/./} + $(awk -v s="$3" 'BEGIN { printf "%d", s * 1000000 }') ))
  while :; do
    ircd_port_open "$port" && return 0
    st=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    st=${st##*) }
    [ "${st%% *}" != Z ] || return 1
    (( ${EPOCHREALTIME/./} < end )) || return 2
    sleep 0.02
  done
}
