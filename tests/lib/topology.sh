# shellcheck shell=bash
# A real-peer SIP test topology in network namespaces.
#
#   source tests/lib/topology.sh
#   trap topology_down EXIT            # (or call it from your own EXIT trap)
#   topology_up "sgt$$" || exit 1      # PREFIX: unique per run
#   topology_start backend1 registrar kamailio -f ... -DD -E
#   topology_exec trunk sipsak -s sip:192.0.2.10
#   topology_down                      # kills only what topology_start started,
#                                      # deletes only the namespaces it created
#
# Shape: a "switch" namespace holds two Linux bridges. The front bridge is the
# internet side (trunk, both attackers, the proxy's front leg), the back
# bridge the backend LAN (the proxy's back leg, both backends). The proxy
# namespace is the only node on both segments and is everybody's default
# gateway:
#
#   trunk     198.51.100.10  2001:db8:5100::10 ─┐
#   attacker  203.0.113.66   2001:db8:113::66  ─┼─ br-front ─ proxy front0 198.51.100.1 203.0.113.1
#   attacker2 203.0.113.67   2001:db8:113::67  ─┘             2001:db8:5100::1 2001:db8:113::1
#                                                            proxy back0  192.0.2.1 2001:db8:2::1
#   backend1  192.0.2.10     2001:db8:2::10    ─┬─ br-back ──┘
#   backend2  192.0.2.11     2001:db8:2::11    ─┘
#
# IP forwarding in the proxy namespace is ON after topology_up, so the trunk
# and the attackers can reach the backends directly (tests of the backends
# themselves). A test of sipguard-proxy turns it off with
# `topology_forwarding off`: then the proxy's own sockets are the only way
# from the front to the back.
#
# Namespaces are named PREFIX-NODE (e.g. sgt1234-trunk, sgt1234-sw); every
# interface is created directly inside its namespace (nothing ever appears in
# the caller's namespace, no host interface or ruleset is touched). Only
# documentation addresses are used. topology_up refuses a PREFIX whose
# namespaces already exist, so parallel or stale runs never collide.
#
# Functions (all return non-zero on failure, every wait is bounded):
#   topology_up PREFIX            build it all, warm up neighbour discovery
#   topology_down                 kill started daemons, delete the namespaces;
#                                 idempotent; returns 1 when a process not
#                                 started by topology_start was still inside
#   topology_exec NODE CMD...     run CMD inside NODE (foreground)
#   topology_start NODE NAME CMD...  run a daemon inside NODE (own process
#                                 group, output in $(topology_logfile NAME))
#   topology_stop NAME            stop one daemon (TERM, then KILL after 5 s)
#   topology_alive NAME           0 while that daemon runs
#   topology_pid NAME             its PID
#   topology_logfile NAME / topology_log NAME   its log file / print it
#   topology_wait_udp NODE ADDR PORT [SECS]     until a socket is bound there
#   topology_addr NODE [4|6]      the node's (front) address
#   topology_ns NODE              the namespace name
#   topology_forwarding on|off    IP forwarding in the proxy namespace
#   topology_reach NODE ADDR... [SECS]  until NODE gets an answer (ICMP port
#                                 unreachable to a UDP probe) from each ADDR
# Variables: TOPO_PREFIX, TOPO_DIR (temporary directory for logs and
# runtime files, removed by topology_down unless TOPOLOGY_KEEP_DIR=1),
# TOPO_NODES (the node names). Needs root, iproute2 and /usr/bin/python3.

TOPO_PY=${TOPO_PY:-/usr/bin/python3}
TOPO_NODES=(trunk attacker attacker2 proxy backend1 backend2)
TOPO_PREFIX=
TOPO_DIR=
_topo_ns_made=()
_topo_pid_names=()
_topo_pids=()

declare -gA TOPO_ADDR4=(
  [trunk]=198.51.100.10 [attacker]=203.0.113.66 [attacker2]=203.0.113.67
  [proxy]=198.51.100.1 [backend1]=192.0.2.10 [backend2]=192.0.2.11
)
declare -gA TOPO_ADDR6=(
  [trunk]=2001:db8:5100::10 [attacker]=2001:db8:113::66 [attacker2]=2001:db8:113::67
  [proxy]=2001:db8:5100::1 [backend1]=2001:db8:2::10 [backend2]=2001:db8:2::11
)
# The proxy's addresses by side (for callers).
# shellcheck disable=SC2034
TOPO_PROXY_FRONT4=(198.51.100.1 203.0.113.1)
# shellcheck disable=SC2034
TOPO_PROXY_FRONT6=(2001:db8:5100::1 2001:db8:113::1)
# shellcheck disable=SC2034
TOPO_PROXY_BACK4=192.0.2.1
# shellcheck disable=SC2034
TOPO_PROXY_BACK6=2001:db8:2::1

_topo_log() { echo "[topology] $*" >&2; }

topology_ns() { echo "$TOPO_PREFIX-$1"; }

topology_addr() {
  local node=$1 fam=${2:-4}
  if [[ $fam == 6 ]]; then echo "${TOPO_ADDR6[$node]}"; else echo "${TOPO_ADDR4[$node]}"; fi
}

_topo_known_node() {
  local n
  for n in "${TOPO_NODES[@]}" sw; do [[ $n == "$1" ]] && return 0; done
  _topo_log "unknown node '$1' (nodes: ${TOPO_NODES[*]})"
  return 1
}

topology_exec() {
  local node=$1
  shift
  [[ -n $TOPO_PREFIX ]] || { _topo_log "topology_exec: no topology is up"; return 1; }
  _topo_known_node "$node" || return 1
  ip netns exec "$(topology_ns "$node")" "$@"
}

# _topo_link NS_A IF_A NS_B IF_B: a veth pair created directly in both namespaces.
_topo_link() {
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" &&
    ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

# _topo_node_setup NODE: namespace with lo up and no IPv6 duplicate address
# detection (addresses usable at once).
_topo_node_setup() {
  local ns
  ns=$(topology_ns "$1")
  ip netns add "$ns" || return 1
  _topo_ns_made+=("$ns")
  ip -n "$ns" link set lo up &&
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
      net.ipv6.conf.default.accept_ra=0 >/dev/null
}

_topo_build() {
  local sw n ns
  sw=$(topology_ns sw)
  _topo_node_setup sw || return 1
  for n in "${TOPO_NODES[@]}"; do _topo_node_setup "$n" || return 1; done
  ip -n "$sw" link add br-front type bridge stp_state 0 forward_delay 0 mcast_snooping 0 &&
    ip -n "$sw" link add br-back type bridge stp_state 0 forward_delay 0 mcast_snooping 0 &&
    ip -n "$sw" link set br-front up && ip -n "$sw" link set br-back up || return 1

  # front segment
  for n in trunk attacker attacker2; do
    ns=$(topology_ns "$n")
    _topo_link "$ns" eth0 "$sw" "p-$n" && ip -n "$sw" link set "p-$n" master br-front || return 1
  done
  _topo_link "$(topology_ns proxy)" front0 "$sw" p-proxyf && ip -n "$sw" link set p-proxyf master br-front || return 1
  # back segment
  _topo_link "$(topology_ns proxy)" back0 "$sw" p-proxyb && ip -n "$sw" link set p-proxyb master br-back || return 1
  for n in backend1 backend2; do
    ns=$(topology_ns "$n")
    _topo_link "$ns" eth0 "$sw" "p-$n" && ip -n "$sw" link set "p-$n" master br-back || return 1
  done

  # addresses and routes
  local p
  p=$(topology_ns proxy)
  ip -n "$p" addr add 198.51.100.1/24 dev front0 &&
    ip -n "$p" addr add 203.0.113.1/24 dev front0 &&
    ip -n "$p" addr add 2001:db8:5100::1/64 dev front0 nodad &&
    ip -n "$p" addr add 2001:db8:113::1/64 dev front0 nodad &&
    ip -n "$p" addr add 192.0.2.1/24 dev back0 &&
    ip -n "$p" addr add 2001:db8:2::1/64 dev back0 nodad || return 1
  local gw4 gw6
  for n in trunk attacker attacker2 backend1 backend2; do
    ns=$(topology_ns "$n")
    case $n in
      trunk) gw4=198.51.100.1 gw6=2001:db8:5100::1 ;;
      attacker*) gw4=203.0.113.1 gw6=2001:db8:113::1 ;;
      backend*) gw4=192.0.2.1 gw6=2001:db8:2::1 ;;
    esac
    ip -n "$ns" addr add "${TOPO_ADDR4[$n]}/24" dev eth0 &&
      ip -n "$ns" addr add "${TOPO_ADDR6[$n]}/64" dev eth0 nodad &&
      ip -n "$ns" route add default via "$gw4" dev eth0 &&
      ip -n "$ns" -6 route add default via "$gw6" dev eth0 || return 1
  done
  topology_forwarding on
}

topology_forwarding() {
  local v
  case $1 in on) v=1 ;; off) v=0 ;; *) _topo_log "topology_forwarding on|off"; return 1 ;; esac
  topology_exec proxy sysctl -qw "net.ipv4.ip_forward=$v" "net.ipv6.conf.all.forwarding=$v" >/dev/null
}

# topology_reach NODE ADDR... [SECS]: from NODE, a UDP datagram to port 9 of
# each ADDR (nobody listens there) must come back as "port unreachable"
# (ECONNREFUSED): proves the path both ways and warms up ARP/neighbour
# discovery. The last argument, when it is a plain number, is the bound in
# seconds for all of them together (default 5).
topology_reach() {
  local node=$1 secs=5
  shift
  if (($# > 1)) && [[ ${!#} =~ ^[0-9]+$ ]]; then
    secs=${!#}
    set -- "${@:1:$#-1}"
  fi
  topology_exec "$node" "$TOPO_PY" -S - "$secs" "$@" <<'PY'
import socket, sys, time
secs, addrs = float(sys.argv[1]), sys.argv[2:]
end = time.monotonic() + secs
for addr in addrs:
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    ok = False
    while not ok and time.monotonic() < end:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.settimeout(0.2)
        try:
            s.connect((addr, 9))
            s.send(b"reach")
            s.recv(16)
        except ConnectionRefusedError:
            ok = True
        except OSError:
            time.sleep(0.05)  # timeout, or no route/neighbour yet
        finally:
            s.close()
    if not ok:
        print("no answer from %s" % addr, file=sys.stderr)
        sys.exit(1)
sys.exit(0)
PY
}

topology_up() {
  local prefix=$1 n
  if [[ -n $TOPO_PREFIX ]]; then
    _topo_log "topology_up: topology $TOPO_PREFIX is already up"
    return 1
  fi
  if [[ ! $prefix =~ ^[A-Za-z0-9][A-Za-z0-9_.]{0,30}$ ]]; then
    _topo_log "topology_up: PREFIX must be 1-31 characters [A-Za-z0-9_.] (got '$prefix')"
    return 1
  fi
  for n in "${TOPO_NODES[@]}" sw; do
    if [[ -e /run/netns/$prefix-$n ]]; then
      _topo_log "topology_up: namespace $prefix-$n already exists (another run?); choose another PREFIX"
      return 1
    fi
  done
  TOPO_PREFIX=$prefix
  TOPO_DIR=$(mktemp -d "/tmp/sipguard-topo-$prefix.XXXXXX") || { TOPO_PREFIX=; return 1; }
  chmod 700 "$TOPO_DIR"
  if ! _topo_build; then
    _topo_log "topology_up: building the namespaces failed"
    topology_down
    return 1
  fi
  # Warm up neighbour discovery on both segments, IPv4 and IPv6, and check
  # the routed path through the proxy: one probe process per node, all in
  # parallel, each bounded to 5 s.
  local -A targets=(
    [trunk]="198.51.100.1 2001:db8:5100::1 192.0.2.10 2001:db8:2::10"
    [attacker]="203.0.113.1 2001:db8:113::1 192.0.2.11 2001:db8:2::11"
    [attacker2]="203.0.113.1 2001:db8:113::1"
    [backend1]="192.0.2.1 2001:db8:2::1"
    [backend2]="192.0.2.1 2001:db8:2::1"
  )
  local -A probe_pid=()
  for n in "${!targets[@]}"; do
    # shellcheck disable=SC2086
    topology_reach "$n" ${targets[$n]} 5 &
    probe_pid[$n]=$!
  done
  local bad=0
  for n in "${!probe_pid[@]}"; do
    if ! wait "${probe_pid[$n]}"; then
      _topo_log "topology_up: $n cannot reach all of ${targets[$n]} within 5 s"
      bad=1
    fi
  done
  if ((bad)); then
    topology_down
    return 1
  fi
  _topo_log "up: prefix $TOPO_PREFIX, namespaces ${_topo_ns_made[*]}, dir $TOPO_DIR"
}

# topology_start NODE NAME CMD...: CMD runs inside NODE in its own process
# group (setsid) with stdin from /dev/null and output to
# $TOPO_DIR/NAME.log; its PID is remembered under NAME.
topology_start() {
  local node=$1 name=$2
  shift 2
  [[ -n $TOPO_PREFIX ]] || { _topo_log "topology_start: no topology is up"; return 1; }
  _topo_known_node "$node" || return 1
  if [[ ! $name =~ ^[A-Za-z0-9_.-]+$ ]] || topology_pid "$name" >/dev/null 2>&1; then
    _topo_log "topology_start: bad or duplicate name '$name'"
    return 1
  fi
  local ns log
  ns=$(topology_ns "$node")
  log=$TOPO_DIR/$name.log
  if [[ $- == *m* ]]; then
    # Job control: the background job already leads its own process group.
    ip netns exec "$ns" "$@" </dev/null >"$log" 2>&1 &
  else
    setsid ip netns exec "$ns" "$@" </dev/null >"$log" 2>&1 &
  fi
  _topo_pid_names+=("$name")
  _topo_pids+=("$!")
  return 0
}

topology_pid() {
  local i
  for i in "${!_topo_pid_names[@]}"; do
    if [[ ${_topo_pid_names[i]} == "$1" ]]; then
      echo "${_topo_pids[i]}"
      return 0
    fi
  done
  return 1
}

topology_alive() {
  local pid
  pid=$(topology_pid "$1") || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # a zombie (exited, not yet waited for) is not alive
  [[ $(ps -o stat= -p "$pid" 2>/dev/null) != Z* ]]
}

topology_logfile() { echo "$TOPO_DIR/$1.log"; }
topology_log() { [[ -f $TOPO_DIR/$1.log ]] && cat "$TOPO_DIR/$1.log"; }

# _topo_kill PID: TERM to its process group, at most 5 s, then KILL.
_topo_kill() {
  local pid=$1 i
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do
      kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null || break
      [[ $(ps -o stat= -p "$pid" 2>/dev/null) == Z* ]] && ! kill -0 -- "-$pid" 2>/dev/null && break
      sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}

topology_stop() {
  local i
  for i in "${!_topo_pid_names[@]}"; do
    if [[ ${_topo_pid_names[i]} == "$1" ]]; then
      _topo_kill "${_topo_pids[i]}"
      unset '_topo_pid_names[i]' '_topo_pids[i]'
      _topo_pid_names=("${_topo_pid_names[@]}")
      _topo_pids=("${_topo_pids[@]}")
      return 0
    fi
  done
  return 1
}

# topology_wait_udp NODE ADDR PORT [SECS]: until a UDP socket is bound to
# ADDR:PORT (or the wildcard) inside NODE. At most SECS (10) s.
topology_wait_udp() {
  local node=$1 addr=$2 port=$3 secs=${4:-10} i want
  want=$addr
  [[ $addr == *:* ]] && want="[$addr]"
  for ((i = 0; i < secs * 10; i++)); do
    if topology_exec "$node" ss -Hlun 2>/dev/null | awk '{print $4}' |
      grep -qxE "($want|0\.0\.0\.0|\*|\[::\]):$port"; then
      return 0
    fi
    sleep 0.1
  done
  _topo_log "nothing bound to udp $want:$port in $node after ${secs}s"
  return 1
}

topology_down() {
  local rc=0 i ns pids
  for ((i = ${#_topo_pids[@]} - 1; i >= 0; i--)); do
    _topo_kill "${_topo_pids[i]}"
  done
  _topo_pid_names=()
  _topo_pids=()
  for ns in "${_topo_ns_made[@]}"; do
    pids=
    for ((i = 0; i < 30; i++)); do # at most 3 s for exiting processes
      pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
      [[ -z $pids ]] && break
      sleep 0.1
    done
    if [[ -n $pids ]]; then
      _topo_log "topology_down: processes not started by topology_start still in $ns: $pids"
      ps -o pid=,args= -p "${pids// /,}" >&2 2>/dev/null
      rc=1
    fi
  done
  for ((i = ${#_topo_ns_made[@]} - 1; i >= 0; i--)); do
    ip netns delete "${_topo_ns_made[i]}" 2>/dev/null || { _topo_log "could not delete ${_topo_ns_made[i]}"; rc=1; }
  done
  _topo_ns_made=()
  if [[ -n $TOPO_DIR && -d $TOPO_DIR ]]; then
    if [[ ${TOPOLOGY_KEEP_DIR:-0} == 1 ]]; then
      _topo_log "kept $TOPO_DIR"
    else
      rm -rf -- "$TOPO_DIR"
    fi
  fi
  TOPO_DIR=
  TOPO_PREFIX=
  return $rc
}
