#!/usr/bin/env bash
# Benchmark: sipguard-proxy against Kamailio as the stateless validating edge
# proxy, with real peers in the namespaces of tests/lib/topology.sh. Run by
# hand, as root (not a CTest test); the figures go in the README.
#
#   tests/bench/proxy_vs_kamailio.sh [PROXY_BINARY]     (build/release/proxy/sipguard-proxy)
#
# Topology: the load generator on "trunk" (198.51.100.10), the proxy under
# test on "proxy" (listens on udp:198.51.100.1:5060, IP forwarding off, so
# its socket is the only way through), one backend responder on "backend1"
# (udp:192.0.2.10:5060, tests/lib/kamailio/responder.cfg: Kamailio answering
# every request with 200, statelessly, with $BENCH_BACKEND_WORKERS workers).
# The peers under test, one after the other, each with $BENCH_WORKERS workers:
#   kamailio   tests/lib/kamailio/bench.cfg: sanity + maxfwd + pike +
#              stateless forward() (Kamailio's -n workers)
#   sipguard   sipguard-proxy --listen udp:198.51.100.1:5060
#              --backend udp:192.0.2.10:5060 --workers N --trusted
#              198.51.100.10/32 --log-target FILE (trusted: the single load
#              source is never flood-limited, as pike is tuned not to block
#              it in bench.cfg; both still validate every message)
# If the binary does not accept --listen/--backend yet, that is said and
# only Kamailio is measured.
#
# Load: the same generators, in the same order, for both peers. Every valid
# request is an OPTIONS transaction (OPTIONS -> proxy -> responder -> 200 ->
# proxy -> sender): two messages through the proxy, so msgs/s = 2 x trans/s.
#   rate   a fixed rate, $BENCH_RATE/s for $BENCH_SECS s, all valid, sent by
#          a small paced Python sender (in this script) that times every
#          transaction itself (monotonic clock, microseconds): latency under a
#          known load, p50/p99 over all transactions.
#   max    SIPp (sip-tester) in a closed loop: at most $BENCH_WINDOW
#          transactions outstanding, $BENCH_COUNT in all, a lost message
#          fails its transaction after 2 s (-recv_timeout): throughput =
#          transactions answered / (last answer - first answer), from SIPp's
#          per-transaction trace (-trace_rtt); SIPp's p50/p99 have a
#          resolution of 1 ms and are, in a saturated closed loop, about
#          window / throughput.
#   mix    80 % valid OPTIONS / 20 % invalid messages taken from
#          tests/fixtures/sip/<check>/*.sip (every check but "valid"; UDP
#          fixtures only), $BENCH_MIX_RATE/s for $BENCH_SECS s, the same
#          Python sender. Per peer: valid answered (200) with p50/p99,
#          invalid rejected by the proxy (its own 4xx/5xx), invalid forwarded
#          (a 200 from the backend reached the sender), invalid with no reply
#          (dropped). The sender is bound to udp:198.51.100.10:5060, so
#          replies that follow a fixture's Via port 5060 come back to it.
# Note: on a small VM the load generator, the proxy and the responder share
# the CPUs; compare the two peers with each other, not across machines.
#
# Knobs (environment): BENCH_WORKERS (2), BENCH_BACKEND_WORKERS (2),
# BENCH_RATE (2000), BENCH_SECS (10), BENCH_COUNT (100000), BENCH_WINDOW
# (200), BENCH_MIX_RATE (2000), BENCH_REPEAT (3: max runs per peer, the
# median by throughput is reported). Every run is bounded by SIPp's -timeout and
# timeout(1).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../lib/topology.sh
source "$root/tests/lib/topology.sh"
# shellcheck source=../lib/sipclients.sh
source "$root/tests/lib/sipclients.sh"

PROXY_BIN=${1:-$root/build/release/proxy/sipguard-proxy}
WORKERS=${BENCH_WORKERS:-2}
BACKEND_WORKERS=${BENCH_BACKEND_WORKERS:-2}
RATE=${BENCH_RATE:-2000}
SECS=${BENCH_SECS:-10}
COUNT=${BENCH_COUNT:-100000}
WINDOW=${BENCH_WINDOW:-200}
MIX_RATE=${BENCH_MIX_RATE:-2000}
REPEAT=${BENCH_REPEAT:-3}
FRONT=198.51.100.1
BACKEND=192.0.2.10
TRUNK=198.51.100.10

for v in WORKERS BACKEND_WORKERS RATE SECS COUNT WINDOW MIX_RATE REPEAT; do
  [[ ${!v} =~ ^[0-9]+$ ]] && ((${!v} > 0)) || { echo "bench: $v must be a positive number" >&2; exit 2; }
done
((REPEAT <= 9 && COUNT <= 1000000 && SECS <= 120 && RATE * SECS <= 200000 && MIX_RATE * SECS <= 200000)) ||
  { echo "bench: bounds: COUNT <= 1e6, SECS <= 120, RATE*SECS and MIX_RATE*SECS <= 2e5" >&2; exit 2; }
export RATE

[[ $(id -u) -eq 0 ]] || { echo "bench: needs root (network namespaces)" >&2; exit 2; }
for c in ip ss kamailio sipp timeout "$TOPO_PY"; do
  command -v "$c" >/dev/null 2>&1 || { echo "bench: $c missing (bash .ci/deps)" >&2; exit 2; }
done

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  topology_down
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "bench: $(nproc) CPUs, $WORKERS proxy workers, $BACKEND_WORKERS responder workers, load average $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v n="$(nproc)" '{ exit !($1 > n / 2) }' /proc/loadavg &&
  echo "bench: WARNING: the machine is busy (load average above half the CPUs): figures will be noisy"
topology_up "sgbench$$" || exit 1
topology_forwarding off
kamailio_responder_start backend1 responder "$BACKEND:5060" "$BACKEND_WORKERS" || exit 1

W=$TOPO_DIR/bench
mkdir -p "$W"
cat >"$W/options.xml" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="sipguard bench OPTIONS">
  <send>
    <![CDATA[
      OPTIONS sip:bench@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      Max-Forwards: 70
      From: <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag[call_number]
      To: <sip:bench@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Contact: <sip:sipp@[local_ip]:[local_port]>
      User-Agent: sipguard-bench
      Accept: application/sdp
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" rtd="true"/>
</scenario>
EOF

# sipp_run TAG ARGS...: SIPp from the trunk to the proxy under test; prints
# "sent ok failed seconds p50 p99" (times in ms; seconds from the first to the
# last answer).
sipp_run() {
  local tag=$1 bound
  shift
  rm -f "$W"/options_*_rtt.csv
  bound=$((COUNT / 1000 + 60))
  (cd "$W" && timeout $((bound + 10)) ip netns exec "$(topology_ns trunk)" sipp -sf "$W/options.xml" \
    -i "$TRUNK" -p 5070 -nostdin -timeout "${bound}s" -recv_timeout 2s -buff_size 4194304 \
    -trace_rtt -rtt_freq 1000 -trace_stat -stf "$W/$tag.stat.csv" -fd 1 "$@" "$FRONT:5060" \
    >"$W/$tag.out" 2>&1)
  "$TOPO_PY" - "$W/$tag.stat.csv" "$W"/options_*_rtt.csv <<'PY'
import csv, sys
stat, rtts = sys.argv[1], sys.argv[2:]
rows = list(csv.reader(open(stat), delimiter=";"))
col = {name: i for i, name in enumerate(rows[0])}
last = rows[-1]
ok = int(last[col["SuccessfulCall(C)"]])
failed = int(last[col["FailedCall(C)"]])
sent = int(last[col["TotalCallCreated"]])
vals, stamps = [], []
for f in rtts:
    for line in open(f):
        p = line.strip().split(";")
        try:
            stamps.append(float(p[0]))
            vals.append(float(p[1]))
        except (ValueError, IndexError):
            pass
vals.sort()
q = lambda x: vals[min(len(vals) - 1, int(x * len(vals)))] if vals else float("nan")
secs = (max(stamps) - min(stamps)) / 1000 if len(stamps) > 1 else float("nan")
print(sent, ok, failed, "%.3f" % secs, "%.0f" % q(0.50), "%.0f" % q(0.99))
PY
}

# paced_run TAG INVALID_FRACTION RATE: the paced Python sender for SECS s;
# prints "valid_sent valid_ok p50 p99 inval_sent rejected forwarded noreply"
# (latencies in ms).
paced_run() {
  local tag=$1 frac=$2 rate=$3
  timeout $((SECS + 30)) ip netns exec "$(topology_ns trunk)" "$TOPO_PY" - "$root/tests/fixtures/sip" \
    "$TRUNK" "$FRONT" "$rate" "$SECS" "$frac" <<'PY' 2>"$W/$tag.err"
import glob, os, random, select, socket, sys, time
fixdir, me, front, rate, secs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
frac = float(sys.argv[6])
bad = []
for d in sorted(glob.glob(os.path.join(fixdir, "*"))):
    if not os.path.isdir(d) or os.path.basename(d) == "valid":
        continue
    for f in sorted(glob.glob(os.path.join(d, "*.sip"))):
        if ".tcp." in os.path.basename(f):
            continue
        bad.append(open(f, "rb").read())
if not bad:
    sys.exit("no invalid fixtures found in " + fixdir)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind((me, 5060))
s.setblocking(False)
rng = random.Random(5060)
total = rate * secs
sent_at = {}
valid_sent = inval_sent = 0
lat = []
inval = {"rej": 0, "fwd": 0}
def valid(i):
    return ("OPTIONS sip:bench@%s:5060 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-mix-%d;rport\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:mix@%s>;tag=m%d\r\nTo: <sip:bench@%s>\r\n"
            "Call-ID: mix-v-%d\r\nCSeq: 1 OPTIONS\r\nUser-Agent: sipguard-bench\r\n"
            "Content-Length: 0\r\n\r\n" % (front, me, i, me, i, front, i)).encode()
def drain():
    while True:
        try:
            data = s.recv(65535)
        except BlockingIOError:
            return
        now = time.monotonic()
        first = data.split(b"\r\n", 1)[0]
        if not first.startswith(b"SIP/2.0 "):
            continue
        code = int(first[8:11]) if first[8:11].isdigit() else 0
        cid = b""
        for line in data.split(b"\r\n"):
            if line[:8].lower() == b"call-id:" or line[:2].lower() == b"i:":
                cid = line.split(b":", 1)[1].strip()
                break
        if cid.startswith(b"mix-v-"):
            t = sent_at.pop(cid, None)
            if t is not None and code == 200:
                lat.append((now - t) * 1000)
        elif code >= 200:
            inval["fwd" if code == 200 else "rej"] += 1
start = time.monotonic()
for i in range(total):
    due = start + i / rate
    while True:
        now = time.monotonic()
        if now >= due:
            break
        r, _, _ = select.select([s], [], [], due - now)
        if r:
            drain()
    if rng.random() >= frac:
        msg = valid(i)
        sent_at[b"mix-v-%d" % i] = time.monotonic()
        valid_sent += 1
    else:
        msg = rng.choice(bad)
        inval_sent += 1
    try:
        s.sendto(msg, (front, 5060))
    except OSError:
        pass
    drain()
end = time.monotonic() + 2.0
while time.monotonic() < end:
    r, _, _ = select.select([s], [], [], 0.1)
    if r:
        drain()
lat.sort()
q = lambda x: lat[min(len(lat) - 1, int(x * len(lat)))] if lat else float("nan")
noreply = inval_sent - inval["rej"] - inval["fwd"]
print(valid_sent, len(lat), "%.3f" % q(0.5), "%.3f" % q(0.99), inval_sent, inval["rej"], inval["fwd"], max(0, noreply))
PY
}

declare -A R=()

measure() { # PEER: the three runs against whatever listens on FRONT now
  local peer=$1 m
  echo "bench: [$peer] rate run: $RATE/s for $SECS s (paced sender)"
  m=$(paced_run "$peer-rate" 0 "$RATE") || { echo "bench: rate run failed: $(cat "$W/$peer-rate.err")" >&2; m=""; }
  R[$peer.rate]=$m
  local i runs=()
  for ((i = 1; i <= REPEAT; i++)); do
    echo "bench: [$peer] max run $i/$REPEAT: $COUNT transactions, window $WINDOW (SIPp)"
    runs+=("$(sipp_run "$peer-max$i" -r 1000000 -l "$WINDOW" -m "$COUNT")")
  done
  # the median run by throughput (ok / seconds)
  R[$peer.max]=$(printf '%s\n' "${runs[@]}" | awk '{ print ($4 > 0 ? $2 / $4 : 0), $0 }' | sort -n |
    awk '{ l[NR] = $0 } END { m = l[int((NR + 1) / 2)]; sub(/^[^ ]+ /, "", m); print m }')
  echo "bench: [$peer] mix run: 80/20 at $MIX_RATE/s for $SECS s (paced sender)"
  m=$(paced_run "$peer-mix" 0.2 "$MIX_RATE") || { echo "bench: mix run failed: $(cat "$W/$peer-mix.err")" >&2; m=""; }
  R[$peer.mix]=$m
}

# ---- Kamailio ------------------------------------------------------------------
kamailio_bench_start proxy kamailio "$FRONT:5060" "$BACKEND:5060" "$WORKERS" || exit 1
code=$(options_ping trunk "$FRONT") || { echo "bench: Kamailio path does not answer ($code)" >&2; exit 1; }
measure kamailio
topology_stop kamailio

# ---- sipguard-proxy --------------------------------------------------------------
peers=(kamailio)
if [[ ! -x $PROXY_BIN ]]; then
  echo "bench: $PROXY_BIN not found: measuring Kamailio only"
elif ! "$PROXY_BIN" --help 2>&1 | grep -q -- '--listen' || ! "$PROXY_BIN" --help 2>&1 | grep -q -- '--backend'; then
  echo "bench: $PROXY_BIN does not accept --listen/--backend yet (only: $("$PROXY_BIN" --help 2>&1 | grep -oE '^  [a-z]+ ' | tr -s ' ' | tr '\n' ' ')): measuring Kamailio only"
else
  args=(--listen "udp:$FRONT:5060" --backend "udp:$BACKEND:5060" --trusted "$TRUNK/32"
    --log-target "$W/sipguard-events.log")
  "$PROXY_BIN" --help 2>&1 | grep -q -- '--workers' && args+=(--workers "$WORKERS")
  topology_start proxy sipguard "$PROXY_BIN" "${args[@]}"
  if topology_wait_udp proxy "$FRONT" 5060 10 && code=$(options_ping trunk "$FRONT"); then
    measure sipguard
    peers+=(sipguard)
  else
    echo "bench: sipguard-proxy does not forward (OPTIONS: ${code:-none}); its output:" >&2
    topology_log sipguard | tail -n 20 >&2
  fi
  topology_stop sipguard
fi

# ---- table ---------------------------------------------------------------------------
echo
echo "rate: $RATE trans/s offered for $SECS s (latency in ms, microsecond clock)"
printf '%-9s %9s %9s %9s %9s\n' peer sent answered "p50 ms" "p99 ms"
for p in "${peers[@]}"; do
  read -r vs vo p50 p99 _ <<<"${R[$p.rate]:-0 0 nan nan 0 0 0 0}"
  printf '%-9s %9s %9s %9s %9s\n' "$p" "$vs" "$vo" "$p50" "$p99"
done
echo
echo "max: $COUNT transactions, $WINDOW outstanding, median of $REPEAT runs (SIPp; latency resolution 1 ms)"
printf '%-9s %9s %9s %7s %9s %9s %7s %7s\n' peer sent ok failed "trans/s" "msgs/s" "p50 ms" "p99 ms"
for p in "${peers[@]}"; do
  read -r sent ok failed secs p50 p99 <<<"${R[$p.max]:-0 0 0 nan nan nan}"
  tps=$(awk -v o="$ok" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? o / s : 0) }')
  printf '%-9s %9s %9s %7s %9s %9s %7s %7s\n' "$p" "$sent" "$ok" "$failed" "$tps" "$((tps * 2))" "$p50" "$p99"
  R[$p.tps]=$tps
done
if [[ ${#peers[@]} == 2 ]]; then
  read -r _ _ p50a p99a _ <<<"${R[kamailio.rate]}"
  read -r _ _ p50b p99b _ <<<"${R[sipguard.rate]}"
  awk -v a="${R[kamailio.tps]}" -v b="${R[sipguard.tps]}" -v la="$p50a" -v lb="$p50b" -v ma="$p99a" -v mb="$p99b" 'BEGIN {
    printf "ratio sipguard/kamailio: throughput %.2fx (max run); latency at %s/s p50 %.2fx, p99 %.2fx\n",
      (a > 0 ? b / a : 0), ENVIRON["RATE"], (la > 0 ? lb / la : 0), (ma > 0 ? mb / ma : 0) }'
fi
echo
echo "mix: 80% valid OPTIONS / 20% invalid fixtures at $MIX_RATE/s for $SECS s"
printf '%-9s %8s %8s %8s %8s | %8s %9s %10s %9s\n' peer valid "200" "p50 ms" "p99 ms" invalid rejected forwarded "no reply"
for p in "${peers[@]}"; do
  read -r vs vo p50 p99 is ir ifw inr <<<"${R[$p.mix]:-0 0 nan nan 0 0 0 0}"
  printf '%-9s %8s %8s %8s %8s | %8s %9s %10s %9s\n' "$p" "$vs" "$vo" "$p50" "$p99" "$is" "$ir" "$ifw" "$inr"
done
echo "(rejected: the proxy's own 4xx/5xx; forwarded: the backend's 200 reached the sender;"
echo " no reply: dropped silently, or a reply the fixture's Via sends elsewhere)"
