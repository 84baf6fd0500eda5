# shellcheck shell=bash
# Real SIP peers and clients for tests, the demo and the benchmark, run inside
# the namespaces of tests/lib/topology.sh (source that first).
#
#   source tests/lib/topology.sh
#   source tests/lib/sipclients.sh
#
# Servers (started with topology_start, so topology_down stops them):
#   kamailio_registrar_start NODE NAME ADDR [PORT]
#       tests/lib/kamailio/registrar.cfg (users 1000..1009, digest auth, see
#       the file) listening on udp:ADDR:PORT (5060) and, when NODE has one,
#       its IPv6 address; waits (10 s) until it is bound.
#   kamailio_bench_start NODE NAME LISTEN BACKEND [WORKERS] [PIKE_DENSITY]
#       tests/lib/kamailio/bench.cfg: sanity + maxfwd + pike + stateless
#       forward() to BACKEND; LISTEN/BACKEND are ADDR:PORT; WORKERS UDP
#       children (2); PIKE_DENSITY requests per source per 2 s before pike
#       blocks it (1000000: measured, never triggered by the benchmark).
#   kamailio_responder_start NODE NAME LISTEN [WORKERS]
#       tests/lib/kamailio/responder.cfg: answers every request with 200
#       (the benchmark's backend).
#   sipp_uas_start NODE NAME PORT
#       SIPp's built-in UAS on NODE's address:PORT (answers INVITEs with
#       180/200, BYE with 200); exits by itself after $SIPCLIENT_UAS_LIFETIME
#       (120) s.
#
# Clients (foreground; every one bounded in count and in time by
# timeout(1) with $SIPCLIENT_TIMEOUT (30) s; output kept in
# $TOPO_DIR/sipclients/; the first line of the last final reply seen, when
# there is one, is left in SIP_LAST_STATUS, e.g. "SIP/2.0 403 Forbidden"):
#   register_trunk NODE TARGET USER PASS [CONTACT] [EXPIRES]
#       sipsak REGISTER with digest authentication (401 -> REGISTER with
#       Authorization); 0 when the registrar answered 200. CONTACT defaults
#       to sip:USER@<NODE's address>:5060; EXPIRES to 300.
#   options_ping NODE TARGET [USER]
#       one sipsak OPTIONS; prints the status code (or "timeout"); 0 on 2xx.
#   call_once NODE TARGET CALLEE [LOCAL_PORT]
#       one call with SIPp's built-in UAC: INVITE, (100/180), 200, ACK, BYE,
#       200, through TARGET; 0 when the call succeeded.
#   svmap_scan NODE TARGET
#       sipvicious svmap; prints "ADDR:PORT|User-Agent" per device found;
#       0 when TARGET was found.
#   svwar_enum NODE TARGET [RANGE] [METHOD]
#       sipvicious svwar over RANGE (1000-1009, at most 1000 extensions) with
#       METHOD (REGISTER); prints "EXTENSION|reqauth|noauth|weird" per
#       extension found; 0 when any was.
#   svcrack_guess NODE TARGET EXT [DICTIONARY]
#       sipvicious svcrack for EXT with a password list (a built-in small
#       one, or the file DICTIONARY, at most 1000 lines); prints the
#       password found; 0 when one was.
#   sipsak_flood NODE TARGET COUNT
#       sipsak flood mode: COUNT (at most 100000) OPTIONS without waiting for
#       replies; 0 when sipsak sent them all.
# TARGET is ADDR, ADDR:PORT, or [IPv6]:PORT (port 5060 by default). sipsak
# 0.9.8 (register_trunk, options_ping, sipsak_flood) has no IPv6: those
# return 2 for an IPv6 target; the sipvicious tools (-6) and call_once
# (SIPp) do IPv6.
# Packages: kamailio, sipsak, sipvicious, sip-tester (Debian bookworm).

SIPCLIENT_TIMEOUT=${SIPCLIENT_TIMEOUT:-30}
SIPCLIENT_UAS_LIFETIME=${SIPCLIENT_UAS_LIFETIME:-120}
SIP_LAST_STATUS=
_SC_KAMDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/kamailio" && pwd)

# bookworm ships the sipvicious tools as svmap/svwar/svcrack; newer packages
# as sipvicious_svmap/...: use whichever exists.
_sc_sv() {
  if command -v "sipvicious_$1" >/dev/null 2>&1; then echo "sipvicious_$1"; else echo "$1"; fi
}

_sc_workdir() {
  [[ -n ${TOPO_DIR:-} ]] || { echo "sipclients: no topology is up" >&2; return 1; }
  mkdir -p "$TOPO_DIR/sipclients" && echo "$TOPO_DIR/sipclients"
}

# _sc_target TARGET: sets _sc_host (bare address), _sc_port, _sc_v6 (0/1),
# _sc_hostport (ADDR:PORT or [ADDR]:PORT).
_sc_target() {
  local t=$1
  if [[ $t =~ ^\[([0-9A-Fa-f:]+)\](:([0-9]+))?$ ]]; then
    _sc_host=${BASH_REMATCH[1]} _sc_port=${BASH_REMATCH[3]:-5060} _sc_v6=1
  elif [[ $t =~ ^([0-9A-Fa-f]*:[0-9A-Fa-f:]*)$ ]]; then
    _sc_host=$t _sc_port=5060 _sc_v6=1
  elif [[ $t =~ ^([^:]+)(:([0-9]+))?$ ]]; then
    _sc_host=${BASH_REMATCH[1]} _sc_port=${BASH_REMATCH[3]:-5060} _sc_v6=0
  else
    echo "sipclients: bad target '$t'" >&2
    return 1
  fi
  if ((_sc_v6)); then _sc_hostport="[$_sc_host]:$_sc_port"; else _sc_hostport="$_sc_host:$_sc_port"; fi
}

# _sc_local NODE: the node's own address in the target's family.
_sc_local() {
  if ((_sc_v6)); then topology_addr "$1" 6; else topology_addr "$1" 4; fi
}

# _sc_via NODE: the node's address as it goes into a Via (IPv6 in brackets:
# sipvicious puts -x as is into its Via).
_sc_via() {
  if ((_sc_v6)); then echo "[$(topology_addr "$1" 6)]"; else topology_addr "$1" 4; fi
}

# _sc_status FILE: the status line of the final outcome in FILE: the last
# final reply other than a 401/407 challenge when there is one (sipsak
# answers challenges itself; its stdout and stderr interleave out of
# order), else the last challenge.
_sc_status() {
  local all
  all=$(tr -d '\r' <"$1" | grep -aoE '^SIP/2\.0 [2-6][0-9][0-9].*')
  SIP_LAST_STATUS=$(grep -vE '^SIP/2\.0 40[17] ' <<<"$all" | tail -n 1)
  [[ -n $SIP_LAST_STATUS ]] || SIP_LAST_STATUS=$(tail -n 1 <<<"$all")
}

_sc_kamailio() { # NODE NAME RUNDIR CFG ARGS...: kamailio in the foreground, own runtime dir
  local node=$1 name=$2 rd=$3 cfg=$4
  shift 4
  mkdir -p "$rd" || return 1
  topology_start "$node" "$name" kamailio -f "$cfg" -DD -E -Y "$rd" -P "$rd/kamailio.pid" -w "$rd" \
    -m "${SIPCLIENT_KAMAILIO_SHM:-64}" -M "${SIPCLIENT_KAMAILIO_PKG:-8}" "$@"
}

_sc_wait_bound() { # NODE NAME ADDR PORT
  if ! topology_wait_udp "$1" "$3" "$4" 10; then
    echo "sipclients: $2 did not bind udp:$3:$4; its log:" >&2
    topology_log "$2" | tail -n 30 >&2
    return 1
  fi
}

kamailio_registrar_start() {
  local node=$1 name=$2 addr=$3 port=${4:-5060} a6 args=()
  args=(-l "udp:$addr:$port")
  a6=$(topology_addr "$node" 6)
  [[ -n $a6 && $addr != *:* ]] && args+=(-l "udp:[$a6]:$port")
  _sc_kamailio "$node" "$name" "$TOPO_DIR/$name.run" "$_SC_KAMDIR/registrar.cfg" "${args[@]}" \
    -A "DBURL=\"text://$_SC_KAMDIR/db\"" || return 1
  _sc_wait_bound "$node" "$name" "$addr" "$port"
}

kamailio_bench_start() {
  local node=$1 name=$2 listen=$3 backend=$4 workers=${5:-2} pike=${6:-1000000}
  _sc_kamailio "$node" "$name" "$TOPO_DIR/$name.run" "$_SC_KAMDIR/bench.cfg" -n "$workers" \
    -l "udp:$listen" -A "BACKEND_URI=\"sip:$backend\"" -A "PIKE_DENSITY=$pike" || return 1
  _sc_wait_bound "$node" "$name" "${listen%:*}" "${listen##*:}"
}

kamailio_responder_start() {
  local node=$1 name=$2 listen=$3 workers=${4:-2}
  _sc_kamailio "$node" "$name" "$TOPO_DIR/$name.run" "$_SC_KAMDIR/responder.cfg" -n "$workers" \
    -l "udp:$listen" || return 1
  _sc_wait_bound "$node" "$name" "${listen%:*}" "${listen##*:}"
}

sipp_uas_start() {
  local node=$1 name=$2 port=$3 wd addr
  wd=$(_sc_workdir) || return 1
  addr=$(topology_addr "$node" 4)
  topology_start "$node" "$name" env --chdir="$wd" sipp -sn uas -i "$addr" -p "$port" -nostdin \
    -timeout "${SIPCLIENT_UAS_LIFETIME}s" -trace_err -error_file "$wd/$name.errors" || return 1
  _sc_wait_bound "$node" "$name" "$addr" "$port"
}

register_trunk() {
  local node=$1 target=$2 user=$3 pass=$4 contact=${5:-} expires=${6:-300} wd out me rc
  _sc_target "$target" || return 1
  if ((_sc_v6)); then
    echo "register_trunk: sipsak 0.9.8 has no IPv6; use svwar_enum/call_once for IPv6 targets" >&2
    return 2
  fi
  wd=$(_sc_workdir) || return 1
  me=$(_sc_local "$node")
  [[ -n $contact ]] || contact="sip:$user@$me:5060"
  out=$wd/register-$user-$RANDOM.out
  timeout "$SIPCLIENT_TIMEOUT" ip netns exec "$(topology_ns "$node")" \
    sipsak -U -i -vvv -C "$contact" -x "$expires" -a "$pass" -H "$me" \
    -s "sip:$user@${_sc_hostport}" >"$out" 2>&1
  rc=$?
  _sc_status "$out"
  ((rc == 0)) && [[ $SIP_LAST_STATUS == "SIP/2.0 200"* ]]
}

options_ping() {
  local node=$1 target=$2 user=${3:-} wd out uri
  _sc_target "$target" || return 1
  wd=$(_sc_workdir) || return 1
  if ((_sc_v6)); then
    echo "options_ping: sipsak 0.9.8 has no IPv6" >&2
    return 2
  fi
  out=$wd/options-$RANDOM.out
  uri="sip:${user:+$user@}$_sc_hostport"
  timeout "$SIPCLIENT_TIMEOUT" ip netns exec "$(topology_ns "$node")" \
    sipsak -vv -H "$(_sc_local "$node")" -s "$uri" >"$out" 2>&1
  _sc_status "$out"
  if [[ -z $SIP_LAST_STATUS ]]; then
    echo timeout
    return 1
  fi
  local code=${SIP_LAST_STATUS:8:3}
  echo "$code"
  [[ $code == 2* ]]
}

call_once() {
  local node=$1 target=$2 callee=$3 lport=${4:-5080} wd tag rc
  _sc_target "$target" || return 1
  wd=$(_sc_workdir) || return 1
  tag=call-$callee-$RANDOM
  (cd "$wd" && timeout "$SIPCLIENT_TIMEOUT" ip netns exec "$(topology_ns "$node")" \
    sipp -sn uac -s "$callee" -i "$(_sc_local "$node")" -p "$lport" -m 1 -nostdin \
    -timeout 15s -timeout_error -recv_timeout 10s -trace_err -error_file "$wd/$tag.errors" \
    "$_sc_hostport" >"$wd/$tag.out" 2>&1)
  rc=$?
  SIP_LAST_STATUS=
  grep -qE 'Successful call +\| +0 +\| +1' "$wd/$tag.out" && SIP_LAST_STATUS="SIP/2.0 200 OK (call completed)"
  if ((rc != 0)); then
    echo "call_once: SIPp exit $rc; errors:" >&2
    tail -n 20 "$wd/$tag.errors" >&2 2>/dev/null
  fi
  return $rc
}

svmap_scan() {
  local node=$1 target=$2 wd out six=()
  _sc_target "$target" || return 1
  wd=$(_sc_workdir) || return 1
  out=$wd/svmap-$RANDOM.out
  ((_sc_v6)) && six=(-6)
  (cd "$wd" && HOME=$wd timeout "$SIPCLIENT_TIMEOUT" ip netns exec "$(topology_ns "$node")" \
    "$(_sc_sv svmap)" "${six[@]}" -x "$(_sc_via "$node")" -p "$_sc_port" -t 0.05 "$_sc_host") >"$out" 2>&1
  # table rows: | 192.0.2.10:5060 | sipguard-test-pbx (kamailio) |
  awk -F'|' 'NF >= 4 && $2 !~ /SIP Device/ && $2 ~ /[0-9]/ {
      gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $3); print $2 "|" $3 }' "$out"
  grep -qF "$_sc_host" "$out"
}

svwar_enum() {
  local node=$1 target=$2 range=${3:-1000-1009} method=${4:-REGISTER} wd out six=() n=0 part a b
  _sc_target "$target" || return 1
  wd=$(_sc_workdir) || return 1
  for part in ${range//,/ }; do
    a=${part%-*} b=${part#*-}
    [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] || { echo "svwar_enum: bad range $range" >&2; return 1; }
    n=$((n + b - a + 1))
  done
  ((n <= 1000)) || { echo "svwar_enum: at most 1000 extensions (got $n)" >&2; return 1; }
  out=$wd/svwar-$RANDOM.out
  ((_sc_v6)) && six=(-6)
  (cd "$wd" && HOME=$wd timeout "$SIPCLIENT_TIMEOUT" ip netns exec "$(topology_ns "$node")" \
    "$(_sc_sv svwar)" "${six[@]}" -x "$(_sc_via "$node")" -p "$_sc_port" -m "$method" -e "$range" \
    --maximumtime 5 "$_sc_host") >"$out" 2>&1
  awk -F'|' 'NF >= 4 && $2 ~ /[0-9]/ {
      gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $3); print $2 "|" $3 }' "$out" | sort -n |
    tee "$out.found"
  [[ -s $out.found ]]
}

svcrack_guess() {
  local node=$1 target=$2 ext=$3 dict=${4:-} wd out six=()
  _sc_target "$target" || return 1
  wd=$(_sc_workdir) || return 1
  if [[ -z $dict ]]; then
    dict=$wd/svcrack-dictionary.txt
    printf '%s\n' 0000 1111 1234 12345 123456 1234567 password secret admin "$ext" \
      "${ext}${ext}" sip voip pbx asterisk freeswitch >"$dict"
  fi
  (($(wc -l <"$dict") <= 1000)) || { echo "svcrack_guess: at most 1000 passwords" >&2; return 1; }
  out=$wd/svcrack-$ext-$RANDOM.out
  ((_sc_v6)) && six=(-6)
  (cd "$wd" && HOME=$wd timeout "$SIPCLIENT_TIMEOUT" ip netns exec "$(topology_ns "$node")" \
    "$(_sc_sv svcrack)" "${six[@]}" -x "$(_sc_via "$node")" -p "$_sc_port" -u "$ext" -d "$dict" \
    --maximumtime 5 "$_sc_host") >"$out" 2>&1
  awk -F'|' -v ext="$ext" 'NF >= 4 { gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $3);
      if ($2 == ext) { print $3; found = 1 } } END { exit !found }' "$out"
}

sipsak_flood() {
  local node=$1 target=$2 count=$3 wd out
  _sc_target "$target" || return 1
  if [[ ! $count =~ ^[0-9]+$ ]] || ((count < 1 || count > 100000)); then
    echo "sipsak_flood: COUNT must be 1..100000" >&2
    return 1
  fi
  wd=$(_sc_workdir) || return 1
  ((_sc_v6)) && { echo "sipsak_flood: sipsak 0.9.8 has no IPv6" >&2; return 2; }
  out=$wd/flood-$RANDOM.out
  timeout "$SIPCLIENT_TIMEOUT" ip netns exec "$(topology_ns "$node")" \
    sipsak -F -e "$count" -H "$(_sc_local "$node")" -s "sip:flood@$_sc_hostport" >"$out" 2>&1
}
