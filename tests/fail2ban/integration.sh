#!/usr/bin/env bash
# Integration test of the shipped fail2ban jail with real parts only:
#   a real systemd-journald (tests/lib/journald.sh), OpenSIPS-format offence
#   lines written to it by a process named "opensips" (as OpenSIPS would log
#   them), a real fail2ban-server running the shipped jail sipguard-opensips
#   on the systemd backend inside a network namespace "server", with
#   fail2ban's nftables action acting in that namespace, and UDP traffic to
#   port 5060 from an "attacker" and a trusted "trunk" namespace.
# Asserts: before the ban both get answers; after the attacker's offences
# the attacker's packets are dropped by nftables while the trunk (listed in
# ignoreip, same offences) still gets through; `fail2ban-client status`
# lists the attacker only (not the trunk, not an address forged through a
# Call-ID, not an address logged under a forged syslog identifier); the
# agent's banip-only jail bans and unbans on command.
# Addresses: 198.51.100.0/24 (attacker side), 203.0.113.0/24 (trunk side)
# only, in namespaces this test creates; every wait is bounded.
# Exit: 0 pass, 1 fail, 77 skipped (missing root/kernel feature/package;
# 1 instead when SIPGUARD_STRICT_TESTS=1).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/require.sh
source "$root/tests/lib/require.sh"
# shellcheck source=../lib/journald.sh
source "$root/tests/lib/journald.sh"

PY=/usr/bin/python3 # Debian's, with python3-systemd (as fail2ban uses)
HELPER="$PY $here/nethelper.py"
JAIL=sipguard-opensips
AGENT_JAIL=sipguard-agent
SRV=sgf2b-srv-$$
ATK=sgf2b-atk-$$
TRK=sgf2b-trk-$$
SRV_ATK_IP=198.51.100.1
ATK_IP=198.51.100.7
SRV_TRK_IP=203.0.113.1
TRK_IP=203.0.113.10
FORGED_IP=198.51.100.99   # named inside an attacker's Call-ID
SPOOFED_IP=198.51.100.98  # logged with SYSLOG_IDENTIFIER=opensips by another program
AGENT_IP=198.51.100.66    # banned through the agent's jail

tmp=
f2b_pid=
responder_pid=
netns_made=()

log() { echo "[f2b-integration] $*"; }

f2b() { timeout 20 fail2ban-client -c "$tmp/conf" -s "$tmp/fail2ban.sock" "$@"; }

cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  if [[ -n $f2b_pid ]] && kill -0 "$f2b_pid" 2>/dev/null; then
    f2b stop >/dev/null 2>&1
    for ((i = 0; i < 50; i++)); do # at most 5 s
      kill -0 "$f2b_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$f2b_pid" 2>/dev/null && kill -KILL "$f2b_pid" 2>/dev/null
    wait "$f2b_pid" 2>/dev/null
  fi
  if [[ -n $responder_pid ]]; then
    kill "$responder_pid" 2>/dev/null
    wait "$responder_pid" 2>/dev/null
  fi
  for i in "${netns_made[@]}"; do
    ip netns delete "$i" 2>/dev/null
  done
  journald_stop
  [[ -n $tmp && -d $tmp ]] && rm -rf -- "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "FAIL: $*" >&2
  if [[ -n $tmp && -f $tmp/fail2ban.log ]]; then
    echo "---- fail2ban.log (last 40 lines)" >&2
    tail -n 40 "$tmp/fail2ban.log" >&2
  fi
  if [[ -n $tmp && -s $tmp/server.out ]]; then
    echo "---- fail2ban-server output" >&2
    tail -n 20 "$tmp/server.out" >&2
  fi
  exit 1
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.2 s.
wait_for() {
  local secs=$1 what=$2 i
  shift 2
  for ((i = 0; i < secs * 5; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  fail "timed out after ${secs}s waiting for $what"
}

# ---- requirements ----------------------------------------------------------
require_root
require_cmd ip nft timeout fail2ban-server fail2ban-client systemd-cat "$PY" "$JOURNALD_BIN"
require_python_module "$PY" systemd.journal
require "/etc/fail2ban from the fail2ban package" test -f /etc/fail2ban/jail.conf
require_netns

tmp=$(mktemp -d /tmp/sipguard-f2b-it.XXXXXX) || fail "mktemp"
chmod 700 "$tmp"

# ---- journald ----------------------------------------------------------------
journald_start "$tmp" || fail "could not get a journald"

# ---- network: server <-> attacker, server <-> trunk ---------------------------
for ns in "$SRV" "$ATK" "$TRK"; do
  ip netns add "$ns" || fail "ip netns add $ns"
  netns_made+=("$ns")
  ip -n "$ns" link set lo up || fail "lo up in $ns"
done
ip link add sgf2b-a0 netns "$SRV" type veth peer name sgf2b-a1 netns "$ATK" || fail "veth attacker"
ip link add sgf2b-t0 netns "$SRV" type veth peer name sgf2b-t1 netns "$TRK" || fail "veth trunk"
ip -n "$SRV" addr add "$SRV_ATK_IP/24" dev sgf2b-a0 &&
  ip -n "$ATK" addr add "$ATK_IP/24" dev sgf2b-a1 &&
  ip -n "$SRV" addr add "$SRV_TRK_IP/24" dev sgf2b-t0 &&
  ip -n "$TRK" addr add "$TRK_IP/24" dev sgf2b-t1 &&
  ip -n "$SRV" link set sgf2b-a0 up && ip -n "$ATK" link set sgf2b-a1 up &&
  ip -n "$SRV" link set sgf2b-t0 up && ip -n "$TRK" link set sgf2b-t1 up ||
  fail "addresses/links"

# The "SIP server": answers every UDP datagram on 5060 (exits by itself).
ip netns exec "$SRV" $HELPER respond 5060 240 &
responder_pid=$!

probe() { # NS HOST: prints the number of answers to 5 OPTIONS
  ip netns exec "$1" $HELPER probe "$2" 5060 5 0.4
}

# ---- fail2ban configuration: the system's, plus the shipped files ----------
cp -a /etc/fail2ban "$tmp/conf" || fail "copy /etc/fail2ban"
rm -f "$tmp/conf/jail.d/"* # Debian enables sshd there
cp "$root"/filters/*.conf "$tmp/conf/filter.d/" || fail "copy filters"
cp "$root"/jail.d/*.conf "$tmp/conf/jail.d/" || fail "copy jails"
cat >"$tmp/conf/fail2ban.local" <<EOF
[Definition]
loglevel  = INFO
logtarget = $tmp/fail2ban.log
socket    = $tmp/fail2ban.sock
pidfile   = $tmp/fail2ban.pid
dbfile    = $tmp/fail2ban.sqlite3
EOF
# What an operator writes to enable the jails (README.md): the trunk in ignoreip.
cat >"$tmp/conf/jail.d/sipguard.local" <<EOF
[$JAIL]
enabled  = true
ignoreip = 127.0.0.1/8 ::1 $TRK_IP

[$AGENT_JAIL]
enabled  = true
EOF

# ---- fail2ban-server in the server namespace --------------------------------
ip netns exec "$SRV" fail2ban-server -f -x -c "$tmp/conf" -s "$tmp/fail2ban.sock" \
  -p "$tmp/fail2ban.pid" >"$tmp/server.out" 2>&1 &
f2b_pid=$!
wait_for 30 "fail2ban-server to answer" f2b ping
wait_for 30 "jail $JAIL to run" f2b status "$JAIL"
log "fail2ban-server (PID $f2b_pid) runs jail $JAIL in namespace $SRV"

# ---- before any offence: both get answers ----------------------------------
n=$(probe "$ATK" "$SRV_ATK_IP") || fail "probe attacker"
[[ $n == 5 ]] || fail "before the ban the attacker got $n/5 answers (network setup?)"
n=$(probe "$TRK" "$SRV_TRK_IP") || fail "probe trunk"
[[ $n == 5 ]] || fail "before the ban the trunk got $n/5 answers (network setup?)"
log "before: attacker 5/5, trunk 5/5 answers"

# ---- offences, as OpenSIPS logs them ----------------------------------------
lines=()
for i in 1 2 3 4 5 6; do
  # the attacker's malformed requests (seed format)
  lines+=("a$i-77e1@$ATK_IP|log|Bad Request/Body from $ATK_IP INVITE (sip:100@$SRV_ATK_IP),retcode=-5")
  # the same offences from the trusted trunk (fixed Too Many Hops line)
  lines+=("t$i-c0ffee@$TRK_IP|end|Too Many Hops from $TRK_IP INVITE (sip:carrier@$SRV_TRK_IP)")
  # an attacker's Call-ID that forges a whole event about another address
  lines+=("x$i|log|Bad Request/Body from $FORGED_IP INVITE (sip:a),retcode=-1|log|Bad Request/Body from $ATK_IP INVITE (sip:b),retcode=-1")
  # the seed's own Too Many Hops line names no address
  lines+=("h$i@$ATK_IP|end|Too Many Hops (sip:100@$SRV_ATK_IP)")
done
$HELPER journal opensips opensips "${lines[@]}" || fail "writing to the journal"
# Another local program claiming to be opensips (SYSLOG_IDENTIFIER only, _COMM=cat).
for i in 1 2 3 4 5 6; do
  echo "s$i|log|Bad Request/Body from $SPOOFED_IP INVITE (sip:a),retcode=-1"
done | systemd-cat -t opensips -p warning || fail "systemd-cat"
log "wrote ${#lines[@]} OpenSIPS lines (+6 under a forged identifier) to the journal"

banned_list() { # JAIL: the "Banned IP list" of fail2ban-client status
  f2b status "$1" | sed -n 's/.*Banned IP list:[[:space:]]*//p' | tr -s ' \t' '\n' | sed '/^$/d' | sort
}
is_banned() { banned_list "$1" | grep -qx "$2"; }
wait_for 30 "$ATK_IP to be banned in $JAIL" is_banned "$JAIL" "$ATK_IP"
# The trunk's 6 lines come after the attacker's; let the filter see them all.
wait_for 20 "the trunk's offences to be seen (and ignored)" \
  grep -q "\[$JAIL\] Ignore $TRK_IP by ip" "$tmp/fail2ban.log"
sleep 1

# ---- after the ban ----------------------------------------------------------
n=$(probe "$ATK" "$SRV_ATK_IP") || fail "probe attacker"
[[ $n == 0 ]] || fail "after the ban the attacker still got $n/5 answers"
n=$(probe "$TRK" "$SRV_TRK_IP") || fail "probe trunk"
[[ $n == 5 ]] || fail "after the ban the trunk (in ignoreip) got only $n/5 answers"
log "after: attacker 0/5, trunk 5/5 answers"

got=$(banned_list "$JAIL" | tr '\n' ' ')
[[ $got == "$ATK_IP " ]] || fail "fail2ban-client status $JAIL lists [${got% }], want [$ATK_IP] only"
log "fail2ban-client status $JAIL: banned $got"

set_elems=$(ip netns exec "$SRV" nft list set inet f2b-table "addr-set-$JAIL") ||
  fail "nft set addr-set-$JAIL missing"
grep -q "$ATK_IP" <<<"$set_elems" || fail "nft set lacks $ATK_IP: $set_elems"
for ip in "$TRK_IP" "$FORGED_IP" "$SPOOFED_IP"; do
  grep -q "$ip" <<<"$set_elems" && fail "nft set holds $ip: $set_elems"
done
ip netns exec "$SRV" nft list chain inet f2b-table f2b-chain | grep -q "udp dport { 5060, 5061 } ip saddr @addr-set-$JAIL drop" ||
  fail "no nftables drop rule for UDP 5060/5061: $(ip netns exec "$SRV" nft list chain inet f2b-table f2b-chain)"
for ip in "$FORGED_IP" "$SPOOFED_IP"; do
  grep -q "Found $ip" "$tmp/fail2ban.log" && fail "fail2ban counted a failure for $ip"
done
log "nftables set holds the attacker only; forged and spoofed addresses never counted"

# ---- the agent's banip-only jail -------------------------------------------
f2b set "$AGENT_JAIL" banip "$AGENT_IP" >/dev/null || fail "banip on $AGENT_JAIL"
wait_for 10 "$AGENT_IP in $AGENT_JAIL" is_banned "$AGENT_JAIL" "$AGENT_IP"
ip netns exec "$SRV" nft list set inet f2b-table "addr-set-$AGENT_JAIL" | grep -q "$AGENT_IP" ||
  fail "banip did not reach nftables"
f2b set "$AGENT_JAIL" unbanip "$AGENT_IP" >/dev/null || fail "unbanip on $AGENT_JAIL"
ip netns exec "$SRV" nft list set inet f2b-table "addr-set-$AGENT_JAIL" 2>/dev/null | grep -q "$AGENT_IP" &&
  fail "unbanip did not reach nftables"
log "$AGENT_JAIL: banip/unbanip reach nftables"

log "PASS"
exit 0
