# shellcheck shell=bash
# A real systemd-journald for tests.
#
#   source tests/lib/journald.sh
#   journald_start WORKDIR     # uses the running journald, or starts one
#   ...                        # write with sd_journal_send()/systemd-cat
#   journald_stop              # stops only a journald journald_start started
#
# If /run/systemd/journal/socket answers, the machine's journald is used and
# nothing is started or changed. Otherwise (a container or VM without
# systemd as PID 1) /lib/systemd/systemd-journald is started directly. Run
# that way it needs no systemd: it creates its own sockets in
# /run/systemd/journal (socket, stdout, dev-log, io.systemd.journal) when
# none are passed to it, reads /etc/machine-id, and stores into
# /run/log/journal/<machine-id> (a runtime drop-in sets Storage=volatile so
# it never writes /var/log/journal, and ReadKMsg=no so it does not copy the
# kernel log). journald_stop stops that process (by its PID) and removes
# exactly the directories and files journald_start created.
# Needs root when it has to start journald. Sets JOURNALD_STARTED=1|0.

JOURNALD_BIN=${JOURNALD_BIN:-/lib/systemd/systemd-journald}
JOURNALD_SOCKET=/run/systemd/journal/socket
JOURNALD_DROPIN_DIR=/run/systemd/journald.conf.d
JOURNALD_DROPIN=$JOURNALD_DROPIN_DIR/50-sipguard-tests.conf
JOURNALD_STARTED=0
JOURNALD_PID=
_journald_created=()

# journald_answers: 0 if a journald receives on the native socket.
journald_answers() {
  [[ -S $JOURNALD_SOCKET ]] || return 1
  python3 - "$JOURNALD_SOCKET" <<'PY' >/dev/null 2>&1
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.settimeout(1)
s.connect(sys.argv[1])   # ECONNREFUSED when nobody is bound to it
PY
}

# _journald_mkdir DIR: mkdir -p, remembering each directory it created.
_journald_mkdir() {
  local d=$1 missing=()
  while [[ ! -e $d ]]; do
    missing=("$d" "${missing[@]}")
    d=$(dirname "$d")
  done
  for d in "${missing[@]}"; do
    mkdir -m 0755 "$d" || return 1
    _journald_created+=("$d")
  done
}

journald_start() {
  local workdir=$1 i
  if journald_answers; then
    echo "journald: using the running journald ($JOURNALD_SOCKET answers)"
    JOURNALD_STARTED=0
    return 0
  fi
  if [[ ! -x $JOURNALD_BIN ]]; then
    echo "journald: $JOURNALD_BIN not found (package systemd)" >&2
    return 1
  fi
  if [[ ! -s /etc/machine-id ]]; then
    echo "journald: /etc/machine-id is missing or empty; journald needs it" >&2
    return 1
  fi
  local mid
  mid=$(tr -d '\n' </etc/machine-id)
  # Everything journald will create, so that journald_stop removes it again.
  _journald_mkdir /run/systemd/journal || return 1
  _journald_mkdir "/run/log/journal/$mid" || return 1
  _journald_mkdir "$JOURNALD_DROPIN_DIR" || return 1
  if [[ -e $JOURNALD_DROPIN ]]; then
    echo "journald: $JOURNALD_DROPIN exists: another test's journald? refusing" >&2
    return 1
  fi
  printf '%s\n' '# Written by sipguard tests/lib/journald.sh; removed when its journald stops.' \
    '[Journal]' 'Storage=volatile' 'ReadKMsg=no' 'ForwardToSyslog=no' 'ForwardToWall=no' \
    'RateLimitIntervalSec=0' >"$JOURNALD_DROPIN" || return 1
  _journald_created+=("$JOURNALD_DROPIN")
  # A stale socket file from a crashed run is replaced by journald itself.
  SYSTEMD_LOG_TARGET=console setsid "$JOURNALD_BIN" </dev/null >"$workdir/journald.log" 2>&1 &
  JOURNALD_PID=$!
  JOURNALD_STARTED=1
  for ((i = 0; i < 100; i++)); do # at most 10 s
    journald_answers && break
    if ! kill -0 "$JOURNALD_PID" 2>/dev/null; then
      echo "journald: $JOURNALD_BIN exited at start:" >&2
      cat "$workdir/journald.log" >&2
      journald_stop
      return 1
    fi
    sleep 0.1
  done
  if ! journald_answers; then
    echo "journald: started (PID $JOURNALD_PID) but $JOURNALD_SOCKET does not answer" >&2
    journald_stop
    return 1
  fi
  echo "journald: started $JOURNALD_BIN as PID $JOURNALD_PID (no journald was running)"
}

journald_stop() {
  local i p
  if ((JOURNALD_STARTED)) && [[ -n $JOURNALD_PID ]]; then
    if kill -0 "$JOURNALD_PID" 2>/dev/null; then
      kill -TERM "$JOURNALD_PID" 2>/dev/null
      for ((i = 0; i < 50; i++)); do # at most 5 s
        kill -0 "$JOURNALD_PID" 2>/dev/null || break
        sleep 0.1
      done
      kill -0 "$JOURNALD_PID" 2>/dev/null && kill -KILL "$JOURNALD_PID" 2>/dev/null
    fi
    wait "$JOURNALD_PID" 2>/dev/null
  fi
  # Remove what journald_start created, deepest first.
  for ((i = ${#_journald_created[@]} - 1; i >= 0; i--)); do
    p=${_journald_created[i]}
    if [[ -d $p ]]; then
      rm -rf -- "$p"
    else
      rm -f -- "$p"
    fi
  done
  _journald_created=()
  JOURNALD_STARTED=0
  JOURNALD_PID=
}
