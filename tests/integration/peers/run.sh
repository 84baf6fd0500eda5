#!/usr/bin/env bash
# sipguard-proxy in front of a real Kamailio registrar (digest auth), attacked
# by real tools, with events checked in a real journald (issue 3's proof):
#   trunk 198.51.100.10 ──▶ proxy 198.51.100.1 / 203.0.113.1 ──▶ registrar 192.0.2.10
#   attackers 203.0.113.66, 203.0.113.67 ──▶
# The proxy namespace does not route (topology_forwarding off): the proxy is
# the only way through. Asserts: the trunk registers with digest through the
# proxy before, during and after the attacks; svmap/svwar/svcrack get nothing
# useful back and are reported as scanners; a malformed burst, a Max-Forwards
# 0 probe and a sipsak flood are reported; every event names the real
# attacker address and none names the trunk; everything is torn down.
# Usage: run.sh PATH/TO/sipguard-proxy. Exit 0 pass, 1 fail, 77 skipped
# (1 when SIPGUARD_STRICT_TESTS=1).
set -uo pipefail
proxy_bin=$(realpath "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
source "$root/tests/lib/require.sh"
source "$root/tests/lib/topology.sh"
source "$root/tests/lib/sipclients.sh"
source "$root/tests/lib/journald.sh"

PREFIX=sgpeer$$
FRONT=198.51.100.1 EDGE=203.0.113.1 REG=192.0.2.10
ATTACKER=203.0.113.66 ATTACKER2=203.0.113.67 TRUNK=198.51.100.10
SIPCLIENT_TIMEOUT=20
pw() { sed -n "s/^[0-9]*:$1::\([^:]*\):.*/\1/p" "$root/tests/lib/kamailio/db/subscriber"; }
log() { echo "[peers-test] $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

work=$(mktemp -d)
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if ((rc != 0)) && [[ -n ${TOPO_DIR:-} ]]; then
    echo "---- proxy log" >&2; topology_log proxy 2>/dev/null | tail -n 20 >&2
    echo "---- registrar log" >&2; topology_log registrar 2>/dev/null | grep -v ' INFO: ' | tail -n 15 >&2
    echo "---- proxy stats" >&2; "$proxy_bin" stats --control "$work/proxy.sock" >&2 2>/dev/null
  fi
  topology_down
  journald_stop
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

require_root
require_cmd ip timeout kamailio sipsak python3 journalctl "$(_sc_sv svmap)" "$(_sc_sv svwar)" \
  "$(_sc_sv svcrack)"
[[ -x $proxy_bin ]] || fail "no proxy binary at $proxy_bin"

journald_start "$work" || fail "could not get a journald"
topology_up "$PREFIX" || fail "topology_up"
topology_forwarding off
kamailio_registrar_start backend1 registrar "$REG" || fail "the registrar did not start"
: >"$work/empty.conf"  # never read the machine's /etc/sipguard/proxy.conf
topology_start proxy proxy "$proxy_bin" --config "$work/empty.conf" \
  --listen "udp:$FRONT:5060" --listen "udp:$EDGE:5060" --backend "udp:$REG:5060" \
  --workers 1 --log-target journal --control "$work/proxy.sock" || fail "the proxy did not start"
topology_wait_udp proxy "$FRONT" 5060 10 || fail "the proxy is not bound on $FRONT:5060"
proxy_pid=$(topology_pid proxy)
log "registrar on $REG, proxy (PID $proxy_pid) on $FRONT and $EDGE"

trunk_registers() {
  register_trunk trunk "$FRONT" 1000 "$(pw 1000)" ||
    fail "trunk REGISTER through the proxy ($1): got '${SIP_LAST_STATUS:-no reply}', want 200"
  log "trunk REGISTER with digest through the proxy ($1): $SIP_LAST_STATUS"
}
trunk_registers "before the attacks"

# ---- attacks ---------------------------------------------------------------
found=$(svmap_scan attacker "$EDGE")
[[ -z $found ]] || fail "svmap learned something through the proxy: $found"
log "svmap from $ATTACKER: nothing found (silently dropped)"
found=$(svwar_enum attacker2 "$EDGE" 1000-1019)
[[ -z $found ]] || fail "svwar enumerated extensions through the proxy: $found"
log "svwar from $ATTACKER2: no extension found"
svcrack_guess attacker "$EDGE" 1009 >/dev/null && fail "svcrack cracked 1009 through the proxy"
log "svcrack from $ATTACKER: nothing cracked"
trunk_registers "during the attacks"

# A malformed burst and a Max-Forwards 0 probe, from the fixtures.
topology_exec attacker python3 - "$root/tests/fixtures/sip" "$EDGE" <<'PY' || fail "malformed burst"
import socket, sys, glob, os
fx, target = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5090))
files = sorted(glob.glob(os.path.join(fx, "bad-via", "*.sip")))[:10]
files += sorted(glob.glob(os.path.join(fx, "too-many-hops", "invite-max-forwards-zero.sip")))
for f in files:
    s.sendto(open(f, "rb").read(), (target, 5060))
PY
log "malformed burst and a Max-Forwards 0 INVITE from $ATTACKER sent"
sipsak_flood attacker2 "$EDGE" 600
log "sipsak flood of 600 from $ATTACKER2 sent"
trunk_registers "after the attacks"

# ---- events in the journal -------------------------------------------------
sleep 1
journalctl --no-pager -o json "_PID=$proxy_pid" >"$work/events.json" 2>/dev/null
python3 - "$work/events.json" "$ATTACKER" "$ATTACKER2" "$TRUNK" <<'PY' || fail "events"
import json, sys
path, attacker, attacker2, trunk = sys.argv[1:]
events = []
for line in open(path):
    e = json.loads(line)
    if "SIPGUARD_EVENT" in e:
        events.append((e["SIPGUARD_EVENT"], e["SIPGUARD_SRC_IP"], e.get("MESSAGE", "")))
by = {}
for kind, ip, msg in events:
    by.setdefault((kind, ip), 0)
    by[(kind, ip)] += 1
    assert ip != trunk, "an event names the trunk: " + msg
    assert ip in (attacker, attacker2), "an event names another address: " + msg
    # The MESSAGE line names the same source right after the fixed label.
    assert (" from %s " % ip) in msg.split("|", 2)[2], msg
for want in [("scanner", attacker), ("scanner", attacker2), ("malformed", attacker),
             ("too-many-hops", attacker), ("flood", attacker2)]:
    assert by.get(want), "no %s event for %s; events: %s" % (want[0], want[1], sorted(by.items()))
floods = by.get(("flood", attacker2), 0)
assert floods <= 5, "one flood event per window expected, got %d" % floods
print("[peers-test] events: " + ", ".join("%s %s x%d" % (k, ip, n) for (k, ip), n in sorted(by.items())))
PY
"$proxy_bin" stats --control "$work/proxy.sock" >"$work/stats.json" || fail "stats"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["forwarded"]["requests"] >= 6, s; print("[peers-test] proxy forwarded", s["forwarded"]["requests"], "requests, dropped", s["dropped"])' "$work/stats.json" || fail "stats content"
log "pass"
