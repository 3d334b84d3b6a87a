#!/usr/bin/env bash
# Fault injection with network namespaces (run as root). Every address lives in namespaces this
# script creates: a control namespace PREFIX-ctl holding the bridge br0 (10.77.0.1, where clients
# run) and one namespace PREFIX-nI per node (10.77.0.(10+I) on eth0, a veth whose peer is on br0).
# The host gets no interface, address or route; traffic goes nowhere else.
#
#   netns.sh up N DIR            namespaces, bridge and N nodes (data and logs in DIR)
#   netns.sh exec NODE|ctl CMD…   run CMD inside a namespace (e.g. a client in ctl)
#   netns.sh partition A [B…]    cut node A off from every other namespace (both ways)
#   netns.sh cut A B             partial partition: only A<->B is cut
#   netns.sh split A,B C,D,E     two halves: every link between the groups cut (clients reach both)
#   netns.sh loss A B PCT        one-way loss: PCT% of packets from A to B dropped
#   netns.sh delay A MS [JITTER] latency (and jitter) on A's eth0 via tc netem, if the kernel has it
#   netns.sh heal [A…]           remove every fault (on the nodes named, or on all)
#   netns.sh kill A | start A    SIGKILL node A's process | start it again on its data
#   netns.sh status              namespaces, node pids, faults
#   netns.sh down                kill every process in the namespaces, delete them (idempotent)
#
# Nodes are named n1..nN; A and B are node numbers or names. NETNS_PREFIX (default skv) names the
# namespaces; NETNS_NET (default 10.77.0) is the /24 they use. Ports are the same in every node
# (each namespace has its own): cluster 7000, client 7001, HTTP 7002, PB 7003.
set -euo pipefail

PREFIX=${NETNS_PREFIX:-skv}
NET=${NETNS_NET:-10.77.0}
STATE=/run/spinekv-netns-$PREFIX
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLI=$ROOT/dist/src/cli/main.js
CTL=$PREFIX-ctl
NODE_BIN=${NODE_BIN:-$(command -v node)}
IPT=${IPTABLES:-iptables}

die() { echo "netns: $*" >&2; exit 1; }
ns_of() { echo "$PREFIX-$(name_of "$1")"; }
name_of() { case $1 in ctl) echo ctl ;; n*) echo "$1" ;; *) echo "n$1" ;; esac; }
num_of() { local n; n=$(name_of "$1"); echo "${n#n}"; }
addr_of() { echo "$NET.$((10 + $(num_of "$1")))"; }
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
nodes() { ip netns list | awk '{print $1}' | sed -n "s/^$PREFIX-n\([0-9]\+\)$/\1/p" | sort -n; }
count() { cat "$STATE/count" 2>/dev/null || nodes | wc -l; }

# Can this machine do it at all? Prints the reason and exits 2 when not.
check() {
  [ "$(id -u)" = 0 ] || { echo "netns: not root (uid $(id -u))"; exit 2; }
  command -v ip >/dev/null || { echo "netns: no ip command (apt-get install iproute2)"; exit 2; }
  command -v "$IPT" >/dev/null || { echo "netns: no $IPT command (apt-get install iptables)"; exit 2; }
  local probe=$PREFIX-probe$$
  ip netns add "$probe" 2>/dev/null || { echo "netns: cannot create a network namespace"; exit 2; }
  local ok=1
  ip -n "$probe" link add br0 type bridge 2>/dev/null || ok=0
  [ $ok = 1 ] && { ip -n "$probe" link add v1 type veth peer name v2 2>/dev/null || ok=0; }
  [ $ok = 1 ] && { in_ns "$probe" "$IPT" -A OUTPUT -d "$NET.250" -j DROP 2>/dev/null || ok=0; }
  ip netns del "$probe" 2>/dev/null || true
  [ $ok = 1 ] || { echo "netns: namespaces work but bridge, veth or $IPT inside them does not"; exit 2; }
  echo "netns: ok (netem: $(has_netem && echo yes || echo 'no; delay unavailable, loss and partitions use iptables'))"
}

has_netem() {
  local probe=$PREFIX-netem$$ ok=1
  ip netns add "$probe" 2>/dev/null || return 1
  in_ns "$probe" tc qdisc add dev lo root netem delay 1ms 2>/dev/null || ok=0
  ip netns del "$probe" 2>/dev/null || true
  [ $ok = 1 ]
}

up() {
  local n=${1:?usage: up N DIR} dir=${2:?usage: up N DIR}
  [ -f "$CLI" ] || die "no $CLI; run npm run build first"
  down >/dev/null 2>&1 || true
  # A failure part-way leaves nothing behind.
  trap 'echo "netns: up failed; tearing down" >&2; down >/dev/null 2>&1 || true' ERR
  mkdir -p "$STATE" "$dir"
  dir=$(cd "$dir" && pwd)
  echo "$n" >"$STATE/count"; echo "$dir" >"$STATE/dir"
  ip netns add "$CTL"
  in_ns "$CTL" ip link set lo up
  in_ns "$CTL" ip link add br0 type bridge
  in_ns "$CTL" ip addr add "$NET.1/24" dev br0
  in_ns "$CTL" ip link set br0 up
  local members="" i
  for i in $(seq 1 "$n"); do
    local ns=$PREFIX-n$i
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
    # Both ends are made inside our namespaces: the host never sees the pair.
    in_ns "$CTL" ip link add "v$i" type veth peer name eth0 netns "$ns"
    in_ns "$CTL" ip link set "v$i" master br0 up
    in_ns "$ns" ip addr add "$(addr_of "$i")/24" dev eth0
    in_ns "$ns" ip link set eth0 up
    in_ns "$ns" "$IPT" -N SKV
    in_ns "$ns" "$IPT" -A INPUT -j SKV
    in_ns "$ns" "$IPT" -A OUTPUT -j SKV
    members+="${members:+,}n$i@$(addr_of "$i"):7000"
  done
  echo "$members" >"$STATE/members"
  for i in $(seq 1 "$n"); do start_node "$i"; done
  trap - ERR
  echo "netns: $n nodes up; clients in $CTL reach $(addr_of 1):7001 .. $(addr_of "$n"):7001"
}

start_node() {
  local i; i=$(num_of "$1")
  local ns=$PREFIX-n$i dir; dir=$(cat "$STATE/dir")
  mkdir -p "$dir/n$i"
  # setsid: the node outlives this script. kill finds it by its namespace, not by a pid file.
  in_ns "$ns" setsid "$NODE_BIN" "$CLI" node start --name "n$i" --data "$dir/n$i" --host "$(addr_of "$i")" \
    --cluster-port 7000 --client-port 7001 --http-port 7002 --pb-port 7003 \
    --members "$(cat "$STATE/members")" ${NETNS_NODE_ARGS:-} >>"$dir/n$i.log" 2>&1 </dev/null &
}

# SIGKILL every process in a namespace.
kill_ns() {
  local pids; pids=$(ip netns pids "$1" 2>/dev/null || true)
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
}

kill_node() { kill_ns "$(ns_of "$1")"; }

# Drop A's traffic to and from B (both ways), in A's namespace and B's.
cut() {
  local a b; a=$(ns_of "$1"); b=$(ns_of "$2")
  local aa; aa=$(addr_of "$1"); local ba; ba=$(addr_of "$2")
  in_ns "$a" "$IPT" -A SKV -d "$ba" -j DROP; in_ns "$a" "$IPT" -A SKV -s "$ba" -j DROP
  in_ns "$b" "$IPT" -A SKV -d "$aa" -j DROP; in_ns "$b" "$IPT" -A SKV -s "$aa" -j DROP
}

# Two halves (majority | minority): every node of one group cut from every node of the other.
split() {
  local left=${1:?usage: split A,B C,D} right=${2:?usage: split A,B C,D} a b
  for a in ${left//,/ }; do for b in ${right//,/ }; do cut "$a" "$b"; done; done
}

# Full partition: A hears from and reaches nobody on the bridge (other nodes nor clients).
partition() {
  local x
  for x in "$@"; do
    local ns; ns=$(ns_of "$x")
    in_ns "$ns" "$IPT" -A SKV -o eth0 -j DROP
    in_ns "$ns" "$IPT" -A SKV -i eth0 -j DROP
  done
}

loss() {
  local a=${1:?} b=${2:?} pct=${3:?}
  local p; p=$(awk -v p="$pct" 'BEGIN { printf "%.4f", p / 100 }')
  in_ns "$(ns_of "$a")" "$IPT" -A SKV -d "$(addr_of "$b")" -m statistic --mode random --probability "$p" -j DROP
}

delay() {
  local a=${1:?} ms=${2:?} jitter=${3:-0}
  local ns; ns=$(ns_of "$a")
  if ! in_ns "$ns" tc qdisc replace dev eth0 root netem delay "${ms}ms" "${jitter}ms" 2>/dev/null; then
    echo "netns: tc netem is not available in this kernel (sch_netem); no latency injected" >&2
    exit 3
  fi
}

heal() {
  local xs=("$@") x
  [ ${#xs[@]} -gt 0 ] || mapfile -t xs < <(nodes)
  for x in "${xs[@]}"; do
    local ns; ns=$(ns_of "$x")
    in_ns "$ns" "$IPT" -F SKV 2>/dev/null || true
    in_ns "$ns" tc qdisc del dev eth0 root 2>/dev/null || true
  done
}

status() {
  local i
  for i in $(nodes); do
    local ns=$PREFIX-n$i
    echo "n$i $(addr_of "$i") pids=[$(ip netns pids "$ns" | tr '\n' ' ')] rules=$(in_ns "$ns" "$IPT" -S SKV 2>/dev/null | grep -c -- '-A SKV' || true)"
  done
}

down() {
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$PREFIX-(ctl|n[0-9]+)$" || true); do kill_ns "$ns"; done
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$PREFIX-(ctl|n[0-9]+)$" || true); do
    # Wait (briefly) for the killed processes to go, or the namespace lingers while they hold it.
    for _ in $(seq 1 50); do [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break; sleep 0.1; done
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$STATE"
  echo "netns: down"
}

cmd=${1:-}; shift || true
case $cmd in
  check) check ;;
  up) up "$@" ;;
  exec) ns=$(ns_of "${1:?}"); shift; exec ip netns exec "$ns" "$@" ;;
  partition) partition "$@" ;;
  cut) cut "$@" ;;
  split) split "$@" ;;
  loss) loss "$@" ;;
  delay) delay "$@" ;;
  heal) heal "$@" ;;
  kill) kill_node "${1:?}" ;;
  start) start_node "${1:?}" ;;
  status) status ;;
  down) down ;;
  addr) addr_of "${1:?}" ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; [ -z "$cmd" ] || exit 1 ;;
esac
