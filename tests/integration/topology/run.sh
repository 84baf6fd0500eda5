#!/usr/bin/env bash
# Self-test of the real-peer test harness (tests/lib/topology.sh,
# tests/lib/sipclients.sh, tests/lib/kamailio/registrar.cfg):
#   topology up; the Kamailio registrar on backend1; the trunk registers
#   directly with digest (200); a wrong password gets 403, an unknown user
#   404; svmap finds the server; svwar enumerates exactly 1000..1009 out of
#   990..1019 (and over IPv6 too); svcrack finds the weak password of 1009; a call (INVITE, 200,
#   ACK, BYE) from the trunk to a registered SIPp UAS goes through the
#   registrar; a bounded sipsak flood is sent; topology down, and no
#   namespace, daemon or process of this run is left.
# Only documentation addresses, only inside namespaces this test creates.
# Exit: 0 pass, 1 fail, 77 skipped (missing root/package/kernel feature;
# 1 instead when SIPGUARD_STRICT_TESTS=1).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
# shellcheck source=../../lib/require.sh
source "$root/tests/lib/require.sh"
# shellcheck source=../../lib/topology.sh
source "$root/tests/lib/topology.sh"
# shellcheck source=../../lib/sipclients.sh
source "$root/tests/lib/sipclients.sh"

PREFIX=sgtopo$$
REG=192.0.2.10
REG6=2001:db8:2::10
pw() { sed -n "s/^[0-9]*:$1::\([^:]*\):.*/\1/p" "$root/tests/lib/kamailio/db/subscriber"; }

log() { echo "[topology-test] $*"; }
started_at=$SECONDS

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if ((rc != 0)) && [[ -n ${TOPO_DIR:-} ]]; then
    echo "---- registrar log (last 30 lines)" >&2
    topology_log registrar 2>/dev/null | grep -v ' INFO: ' | tail -n 30 >&2
  fi
  topology_down
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# ---- requirements ----------------------------------------------------------
require_root
require_cmd ip ss ps timeout setsid env "$TOPO_PY" kamailio sipsak sipp \
  "$(_sc_sv svmap)" "$(_sc_sv svwar)" "$(_sc_sv svcrack)"
probe_ns=sgtprobe-$$
require "network namespaces and veth pairs (kernel module veth)" \
  bash -c "ip netns add $probe_ns && ip link add a0 netns $probe_ns type veth peer name a1 netns $probe_ns; rc=\$?; ip netns delete $probe_ns; exit \$rc"
for m in tm sl rr pv maxfwd textops siputils xlog sanity usrloc registrar db_text auth auth_db pike; do
  require "kamailio module $m (package kamailio)" bash -c \
    "ls /usr/lib/*/kamailio/modules/$m.so /usr/lib/kamailio/modules/$m.so 2>/dev/null | grep -q ."
done

# ---- topology and registrar ------------------------------------------------
topology_up "$PREFIX" || fail "topology_up"
log "topology $PREFIX up after $((SECONDS - started_at)) s"
kamailio_registrar_start backend1 registrar "$REG" || fail "the registrar did not start"
log "registrar (PID $(topology_pid registrar)) on udp:$REG:5060 and udp:[$REG6]:5060"

# ---- digest registration -----------------------------------------------------
register_trunk trunk "$REG" 1000 "$(pw 1000)" ||
  fail "REGISTER 1000 with the right password: got '${SIP_LAST_STATUS:-no reply}', want 200"
log "REGISTER 1000 (right password): $SIP_LAST_STATUS"
register_trunk trunk "$REG" 1000 not-the-password &&
  fail "REGISTER 1000 with a wrong password succeeded"
[[ $SIP_LAST_STATUS == "SIP/2.0 403"* ]] ||
  fail "REGISTER 1000 with a wrong password: got '${SIP_LAST_STATUS:-no reply}', want 403"
log "REGISTER 1000 (wrong password): $SIP_LAST_STATUS"
register_trunk trunk "$REG" 2000 whatever && fail "REGISTER of unknown user 2000 succeeded"
[[ $SIP_LAST_STATUS == "SIP/2.0 404"* ]] ||
  fail "REGISTER of unknown user 2000: got '${SIP_LAST_STATUS:-no reply}', want 404"
log "REGISTER 2000 (unknown user): $SIP_LAST_STATUS"

# ---- the scanners, as against a real PBX -------------------------------------
found=$(svmap_scan attacker "$REG") || fail "svmap did not find $REG: $found"
[[ $found == "$REG:5060|sipguard-test-pbx (kamailio)" ]] || fail "svmap found: $found"
log "svmap: $found"

want=$(printf '%s|reqauth\n' 1000 1001 1002 1003 1004 1005 1006 1007 1008 1009)
got=$(svwar_enum attacker2 "$REG" 990-1019) || fail "svwar found no extension"
[[ $got == "$want" ]] || fail "svwar (REGISTER) over 990-1019 found [$(echo $got)], want 1000..1009 reqauth"
log "svwar: 1000..1009 found (reqauth), nothing else in 990..1019"
got=$(svwar_enum attacker "[$REG6]:5060" 998-1001) || fail "svwar over IPv6 found no extension"
[[ $got == $'1000|reqauth\n1001|reqauth' ]] || fail "svwar over IPv6 found [$(echo $got)], want 1000 1001"
log "svwar over IPv6: 1000, 1001 found (401 challenges over IPv6)"

cracked=$(svcrack_guess attacker "$REG" 1009) || fail "svcrack did not find the weak password of 1009"
[[ $cracked == 123456 ]] || fail "svcrack reports '$cracked' for 1009, want 123456"
svcrack_guess attacker "$REG" 1003 >/dev/null && fail "svcrack 'found' the strong password of 1003"
log "svcrack: 1009 -> $cracked; 1003 resists the dictionary"

# ---- a call to a registered user ---------------------------------------------
sipp_uas_start trunk uas 5070 || fail "SIPp UAS did not start"
register_trunk trunk "$REG" 1001 "$(pw 1001)" "sip:1001@198.51.100.10:5070" ||
  fail "REGISTER 1001 (contact: the UAS): got '${SIP_LAST_STATUS:-no reply}'"
call_once trunk "$REG" 1001 5080 || fail "call to registered user 1001 failed"
log "call to 1001 via $REG: INVITE/200/ACK/BYE/200 completed"
code=$(options_ping attacker "$REG" 1005) || fail "OPTIONS to 1005: $code, want 200"
code=$(options_ping attacker "$REG" 2005) && fail "OPTIONS to unknown 2005: $code, want 404"
[[ $code == 404 ]] || fail "OPTIONS to unknown 2005: $code, want 404"
log "OPTIONS: known user 200, unknown user 404"

# ---- a bounded flood -----------------------------------------------------------
sipsak_flood attacker2 "$REG" 500 || fail "sipsak flood of 500 OPTIONS failed"
topology_alive registrar || fail "the registrar died under a 500-message flood"
code=$(options_ping trunk "$REG") || fail "OPTIONS after the flood: $code"
log "flood of 500 OPTIONS sent; registrar alive and answering"

# ---- teardown leaves nothing -------------------------------------------------
pids=()
for n in registrar uas; do
  p=$(topology_pid "$n") && pids+=("$p")
done
# every process of each namespace, including Kamailio's children
ns_pids=$(for n in "${TOPO_NODES[@]}"; do ip netns pids "$(topology_ns "$n")"; done | sort -u)
dir=$TOPO_DIR
topology_down || fail "topology_down reported leftovers"
topology_down || fail "a second topology_down failed"
left=$(ip netns list | grep -c "^$PREFIX-")
((left == 0)) || fail "namespaces left: $(ip netns list | grep "^$PREFIX-")"
for p in "${pids[@]}" $ns_pids; do
  if kill -0 "$p" 2>/dev/null; then
    fail "process $p left: $(ps -o args= -p "$p")"
  fi
done
[[ ! -e $dir ]] || fail "$dir left"
log "down: no namespace, no process ($(echo "${pids[@]}" $ns_pids | wc -w) checked), no directory left"
log "PASS in $((SECONDS - started_at)) s"
exit 0
