#!/usr/bin/env bash
# compose/ci-run.sh: runs the compose deployment for real, as a user without Docker would: podman
# (Debian's package) serving its Docker-compatible socket, Debian's docker-compose 1.29 on it,
# base images made here from Debian packages (no registry needed). It builds the images from the
# jars of `mvn -B verify`/`package`, brings the stack up, drives the seed's topology through the
# API with dvrctl, checks real packets (the seed's five traffic kinds between VMs on the agents'
# hosts, SNAT and a floating IP to the outside host), kills one instance of each scaled service
# and one host agent and sees them recover, then tears everything down (`down -v`).
#
# Needs root (podman, namespaces), apt-get for podman and debootstrap when missing, and on the
# host: nsenter, ip, ping, nc (netcat-openbsd) — the tests run the host's tools inside the VMs'
# and the outside host's network namespaces, so the images carry none of them.
# Idempotent: it first removes what a previous run may have left, and always cleans up (trap).
# Podman state lives in DVR_CI_STATE (default /var/lib/dvr-ci; the cached base images and build
# layers stay there between runs) and /run/dvr-ci. Timings go to DVR_CI_STATE/last-run.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STATE=${DVR_CI_STATE:-/var/lib/dvr-ci}
RUNDIR=/run/dvr-ci
PROJECT=${DVR_CI_PROJECT:-dvrci}
REPORT="$STATE/last-run.txt"
export DVR_CI_STATE=$STATE COMPOSE_PROJECT_NAME=$PROJECT
export CONTAINERS_CONF="$STATE/conf/containers.conf" CONTAINERS_STORAGE_CONF="$STATE/conf/storage.conf"
export DOCKER_HOST="unix://$RUNDIR/podman.sock"
# docker-compose 1.29 waits this long for one API call (image builds are single calls).
export COMPOSE_HTTP_TIMEOUT=900
SERVICE_PID=""
PUMP_PID=""

log() { printf '[ci-run %s] %s\n' "$(date +%T)" "$*"; }
die() { log "FAILED: $*" >&2; exit 1; }
now() { date +%s%N; }
ms_since() { echo $((($(now) - $1) / 1000000)); }
compose() { timeout 900 docker-compose -f "$ROOT/compose/docker-compose.yml" "$@"; }

# ---- the engine ----------------------------------------------------------------------------

install_needs() {
  local need=()
  command -v podman >/dev/null || need+=(podman)
  command -v debootstrap >/dev/null || need+=(debootstrap)
  command -v docker-compose >/dev/null || need+=(docker-compose)
  command -v nc >/dev/null || need+=(netcat-openbsd)
  command -v nsenter >/dev/null || need+=(util-linux)
  command -v ping >/dev/null || need+=(iputils-ping)
  if ((${#need[@]})); then
    log "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

# Podman's own configuration for this run: its storage under STATE, and default ulimits below the
# hard limits (its defaults exceed them, and raising needs CAP_SYS_RESOURCE, which is absent here).
configure_podman() {
  mkdir -p "$STATE/conf" "$RUNDIR"
  local nofile nproc
  nofile=$(ulimit -Hn); [[ $nofile == unlimited ]] && nofile=1048576
  nproc=$(ulimit -Hu); [[ $nproc == unlimited ]] && nproc=1048576
  nofile=$((nofile / 2 < 65536 ? nofile / 2 : 65536))
  nproc=$((nproc / 2 < 16384 ? nproc / 2 : 16384))
  cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[network]
network_config_dir = "$STATE/networks"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "overlay"
graphroot = "$STATE/storage"
runroot = "$RUNDIR/storage"
EOF
}

start_service() {
  rm -f "$RUNDIR/podman.sock"
  podman system service --time=0 "$DOCKER_HOST" >"$RUNDIR/service.log" 2>&1 &
  SERVICE_PID=$!
  echo "$SERVICE_PID" >"$RUNDIR/service.pid"
  await "podman's socket" 30 test -S "$RUNDIR/podman.sock"
}

# Without systemd podman runs no health checks by itself; compose's `condition: service_healthy`
# reads the status they set. This loop runs `podman healthcheck run` on the project's containers
# that have one, every 2 s, for as long as the run lasts.
start_health_pump() {
  (
    while true; do
      podman ps --filter "label=com.docker.compose.project=$PROJECT" --format '{{.ID}} {{.Status}}' 2>/dev/null \
        | awk '/\((healthy|unhealthy|starting)\)/ {print $1}' | while read -r id; do
          timeout 10 podman healthcheck run "$id" </dev/null >/dev/null 2>&1 || true
        done
      sleep 2
    done
  ) &
  PUMP_PID=$!
  echo "$PUMP_PID" >"$RUNDIR/pump.pid"
}

stop_pid_file() {
  local file=$1 pid
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# Everything of the project goes: containers, networks, volumes; then the pump and the service.
# Also what a killed earlier run left (the same project name, the pid files).
teardown() {
  if [[ -S $RUNDIR/podman.sock ]]; then
    compose down -v --remove-orphans -t 5 >/dev/null 2>&1 || true
  fi
  stop_pid_file "$RUNDIR/pump.pid"
  local ids
  ids=$(podman ps -aq --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null || true)
  [[ -z $ids ]] || podman rm -f -t 0 $ids >/dev/null 2>&1 || true
  podman network ls -q --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null | xargs -r podman network rm -f >/dev/null 2>&1 || true
  podman volume ls -q --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  stop_pid_file "$RUNDIR/service.pid"
  rm -f "$RUNDIR/podman.sock"
  netavark_leftovers
  # Images replaced by this run's builds; the tagged ones and their layers stay as the cache.
  podman image prune -f >/dev/null 2>&1 || true
}

# Netavark 1.4 leaves firewall rules of removed networks behind (isolation rules naming bridges
# that are gone, empty port-forward chains). Once no podman bridge is left, its chains go too;
# it makes them again for the next network.
netavark_leftovers() {
  ls /sys/class/net | grep -q '^podman' && return 0
  local table chain rule
  for table in filter nat; do
    iptables -t "$table" -S 2>/dev/null | { grep -E '^-A .*(NETAVARK|netavark)' || true; } | while read -r rule; do
      # iptables -S quotes what it prints (comments): eval reads it back the same.
      eval "iptables -t $table ${rule/-A/-D}" 2>/dev/null || true
    done
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^NETAVARK/ {print $2}'); do
      iptables -t "$table" -F "$chain" 2>/dev/null || true
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}

on_exit() {
  local rc=$?
  if ((rc != 0)); then
    log "run failed (exit $rc); the last lines of each container's log:" >&2
    for s in api-gateway scheduler-svc network compute1 compute2; do
      echo "---- $s" >&2
      compose logs --no-color --tail 15 "$s" 2>/dev/null | tail -15 >&2 || true
    done
  fi
  log "tearing down"
  teardown
  local left
  left=$(podman ps -aq --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null | wc -l)
  left=$((left + $(podman network ls -q --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null | wc -l)))
  if ((left > 0)); then
    log "WARNING: $left containers or networks of $PROJECT are left" >&2
  fi
  exit "$rc"
}

# ---- waiting, containers, namespaces ---------------------------------------------------------

# await WHAT SECONDS CMD...: runs CMD until it succeeds, at most SECONDS; fails naming WHAT and the
# last output.
await() {
  local what=$1 limit=$2 deadline out
  shift 2
  deadline=$(($(date +%s) + limit))
  while true; do
    if out=$("$@" 2>&1); then
      return 0
    fi
    if (($(date +%s) >= deadline)); then
      die "$what: not within ${limit} s; last: $(tail -c 600 <<<"$out")"
    fi
    sleep 0.5
  done
}

# The container of a service (instance N, default 1), by the labels both compose versions set.
cid() {
  podman ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1" \
    --filter "label=com.docker.compose.container-number=${2:-1}" | head -n 1
}
pid_of() { podman inspect -f '{{.State.Pid}}' "$1"; }
on_host() {
  local host=$1
  shift
  timeout 60 podman exec "$(cid "$host")" "$@"
}
# A command with the host's tools inside a VM's network namespace: the VM is a namespace on the
# agent container's own /run/netns, reached through the container's root.
in_vm() {
  local host=$1 vm=$2
  shift 2
  nsenter --net="/proc/$(pid_of "$(cid "$host")")/root/run/netns/$vm" "$@"
}
in_outside() { nsenter -t "$(pid_of "$(cid outside)")" -n "$@"; }

# A client JVM per call: start it for a short life.
dvrctl() { timeout 60 java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -jar "$DVRCTL_JAR" --server "$API" "$@"; }

# vm HOST NAME PORT: a VM for a port, as labnet/vm.sh makes one: namespace NAME on the host,
# eth0 (the port's MAC and address, MTU 1450, checksum offload off) paired with v-NAME on br-int,
# the port's id as external_ids:iface-id, so the agent wires it.
vm() {
  local host=$1 name=$2 port=$3 mac ip id gw
  read -r mac ip id < <(dvrctl --json port-show "$port" | python3 -c 'import json, sys
p = json.load(sys.stdin)
print(p["mac_address"], p["fixed_ips"][0]["ip_address"], p["id"])')
  gw="${ip%.*}.1"
  on_host "$host" sh -euc "
    ip link del v-$name 2>/dev/null || true
    ip netns del $name 2>/dev/null || true
    ip netns add $name
    ip link add v-$name type veth peer name eth0 netns $name
    ip -n $name link set lo up
    ip -n $name link set eth0 address $mac mtu 1450 up
    ip -n $name addr add $ip/24 dev eth0
    ip -n $name route add default via $gw
    ip netns exec $name ethtool -K eth0 tx off >/dev/null
    ip link set v-$name mtu 1450 up
    ovs-vsctl --may-exist add-port br-int v-$name -- set Interface v-$name \
      external_ids:attached-mac=\"$mac\" external_ids:iface-id=$id"
  VM_IP[$name]=$ip
  VM_HOST[$name]=$host
}

declare -A VM_IP VM_HOST
ping_vm() { in_vm "${VM_HOST[$1]}" "$1" ping -n -c 1 -W 1 "$2"; }
ttl_of() { sed -n 's/.*ttl=\([0-9]*\).*/\1/p' | head -n 1; }

# tcp LISTEN_AT LISTEN_IP CLIENT_AT DST: one TCP exchange; prints the peer the listener saw.
# LISTEN_AT/CLIENT_AT: "outside" or "vm:NAME".
run_at() {
  local at=$1
  shift
  case $at in
    outside) in_outside "$@" ;;
    vm:*) in_vm "${VM_HOST[${at#vm:}]}" "${at#vm:}" "$@" ;;
  esac
}
TCP_PORT=47000
tcp_once() {
  local lat=$1 lip=$2 cat=$3 dst=$4 port out err
  TCP_PORT=$((TCP_PORT + 1))
  port=$TCP_PORT
  out=$(mktemp) err=$(mktemp)
  run_at "$lat" nc -l -v -n -w 5 "$lip" "$port" <<<"hello-from-server" >"$out" 2>"$err" &
  local lpid=$! i
  for i in $(seq 50); do grep -q "Listening on" "$err" && break; sleep 0.1; done
  local reply
  reply=$(run_at "$cat" sh -c "echo hello-from-client | nc -n -w 3 -N $dst $port" 2>/dev/null || true)
  wait "$lpid" 2>/dev/null || true
  local peer
  peer=$(sed -n 's/.*Connection received on \([0-9.]*\) .*/\1/p' "$err" | head -n 1)
  if [[ $reply == *hello-from-server* ]] && grep -q hello-from-client "$out" && [[ -n $peer ]]; then
    rm -f "$out" "$err"
    echo "$peer"
    return 0
  fi
  rm -f "$out" "$err"
  return 1
}
# tcp_expect WHAT EXPECTED_PEER LISTEN_AT LISTEN_IP CLIENT_AT DST
tcp_expect() {
  local what=$1 want=$2
  shift 2
  local deadline=$(($(date +%s) + 60)) peer=""
  while (($(date +%s) < deadline)); do
    if peer=$(tcp_once "$@") && [[ $peer == "$want" ]]; then
      log "ok: $what (the listener saw $peer)"
      return 0
    fi
  done
  die "$what: expected the listener to see $want, saw '${peer}'"
}
ok() { log "ok: $*"; }

agents_alive() {
  local list
  list=$(dvrctl agent-list 2>&1) || { echo "$list"; return 1; }
  for h in network compute1 compute2; do
    grep -E "\| $h +\|" <<<"$list" | grep -q ':-)' || { echo "$list"; return 1; }
  done
}
port_active() { dvrctl port-show "$1" | grep -Eq 'status +\| ACTIVE'; }

# Memory of a container: the proportional set size (PSS) of every process in its PID namespace,
# in MiB; shared pages (PostgreSQL's shared buffers, the libraries) count once, split among the
# processes sharing them.
pss_mib() {
  local pid ns total=0 p
  pid=$(pid_of "$1")
  ns=$(readlink "/proc/$pid/ns/pid")
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/ns/pid" 2>/dev/null) == "$ns" ]] || continue
    total=$((total + $(awk '/^Pss:/ {print $2}' "$p/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo $((total / 1024))
}

# ---- the run ---------------------------------------------------------------------------------

[[ $(id -u) -eq 0 ]] || die "needs root (podman, namespaces)"
install_needs
for jar in api-gateway scheduler-svc mac-allocator-svc arp-svc host-agent-svc dvrctl; do
  ls "$ROOT"/$jar/target/*-all.jar >/dev/null 2>&1 || die "no $jar jar: build first (mvn -B -DskipTests package)"
done
DVRCTL_JAR=$(ls "$ROOT"/dvrctl/target/dvrctl-*-all.jar | head -n 1)
run_start=$(now)
configure_podman
teardown
trap on_exit EXIT
trap 'exit 130' INT TERM
start_service
mkdir -p "$STATE"
: >"$REPORT"

t=$(now)
DVR_BASE_IMAGE=$("$ROOT/compose/ci/base-image.sh")
export DVR_BASE_IMAGE
export DVR_POSTGRES_IMAGE=localhost/dvr-postgres:15
timeout 900 podman build -q --format docker --layers --build-arg "BASE_IMAGE=$DVR_BASE_IMAGE" \
  -f compose/ci/Dockerfile.postgres -t "$DVR_POSTGRES_IMAGE" . >/dev/null
log "base images ready in $(ms_since "$t") ms ($DVR_BASE_IMAGE, $DVR_POSTGRES_IMAGE)"

t=$(now)
compose build -q >"$RUNDIR/build.log" 2>&1 || { tail -40 "$RUNDIR/build.log" >&2; die "compose build"; }
echo "build_ms=$(ms_since "$t")" >>"$REPORT"
log "images built in $(ms_since "$t") ms"

# The API on a free port of this machine (9090 may be taken by a lab running here).
API_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DVR_API_PUBLISHED_PORT=$API_PORT
API=127.0.0.1:$API_PORT
# Security material (issue 10): once the services require it, it is made here (certificates and
# tokens into a directory named by DVR_SECURITY_DIR) before `up`; compose/security.env says how
# the containers find it.
start_health_pump
up_start=$(now)
compose up -d
log "compose up returned after $(ms_since "$up_start") ms"
await "every agent alive (dvrctl agent-list)" 240 agents_alive
agents_ms=$(ms_since "$up_start")
echo "up_to_agents_alive_ms=$agents_ms" >>"$REPORT"
ok "three agents alive $agents_ms ms after up"
# One cluster: agents are lite members and run only when they find the services' data members.
if compose logs --no-color network compute1 compute2 2>/dev/null | grep -q 'NoDataMemberInClusterException'; then
  die "an agent found no data member: the services did not form one cluster with it"
fi

# The seed's topology through the API (README's walk-through), plus vm3 and vm4 on net81 as in
# the Linux lab's end-to-end test.
dvrctl net-create ext-net --external >/dev/null
dvrctl subnet-create ext-net 192.168.1.0/24 --name ext-subnet --gateway 192.168.1.1 \
  --allocation-pool start=192.168.1.100,end=192.168.1.200 >/dev/null
for n in 81 90 91; do
  dvrctl net-create net$n >/dev/null
  dvrctl subnet-create net$n $n.1.180.0/24 --name subnet$n >/dev/null
done
dvrctl router-create dvr-r1 --distributed true >/dev/null
for n in 81 90 91; do dvrctl router-interface-add dvr-r1 subnet$n >/dev/null; done
dvrctl router-gateway-set dvr-r1 ext-net --fixed-ip 192.168.1.115 >/dev/null
dvrctl port-create net81 --name vm1 --host compute1 --fixed-ip ip_address=81.1.180.18 >/dev/null
dvrctl port-create net90 --name vm2 --host compute2 --fixed-ip ip_address=90.1.180.6 >/dev/null
dvrctl port-create net81 --name vm3 --host compute1 --fixed-ip ip_address=81.1.180.19 >/dev/null
dvrctl port-create net81 --name vm4 --host compute2 --fixed-ip ip_address=81.1.180.20 >/dev/null
dvrctl floatingip-create ext-net --floating-ip-address 192.168.1.116 --port-id vm1 >/dev/null
ok "seed topology created through the API"

vm compute1 vm1 vm1
vm compute2 vm2 vm2
vm compute1 vm3 vm3
vm compute2 vm4 vm4
for v in vm1 vm2 vm3 vm4; do await "port $v ACTIVE" 120 port_active "$v"; done
ok "every VM port ACTIVE"

# 1. same subnet, same host
await "vm1 -> vm3 (same subnet, same host)" 60 ping_vm vm1 "${VM_IP[vm3]}"
ok "1. vm1 -> vm3: same subnet, same host"
# 2. same subnet across hosts (VXLAN), TCP included
await "vm1 -> vm4 (same subnet, across hosts)" 60 ping_vm vm1 "${VM_IP[vm4]}"
tcp_expect "2. TCP vm1 -> vm4 across the VXLAN tunnel" "${VM_IP[vm1]}" vm:vm4 "${VM_IP[vm4]}" vm:vm1 "${VM_IP[vm4]}"
# 3. east-west routed across hosts: one hop (TTL one lower than same subnet)
await "vm1 -> vm2 (routed east-west)" 60 ping_vm vm1 "${VM_IP[vm2]}"
direct=$(ping_vm vm1 "${VM_IP[vm4]}" | ttl_of)
routed=$(ping_vm vm1 "${VM_IP[vm2]}" | ttl_of)
[[ $routed -eq $((direct - 1)) ]] || die "3. routed ttl $routed, same-subnet ttl $direct: not one hop"
tcp_expect "3. TCP vm1 -> vm2 routed east-west (ttl $routed vs $direct)" "${VM_IP[vm1]}" vm:vm2 "${VM_IP[vm2]}" vm:vm1 "${VM_IP[vm2]}"
# 4. SNAT: vm2 (no floating IP) seen outside as the router's gateway address
tcp_expect "4. SNAT: vm2 -> outside" 192.168.1.115 outside 192.168.1.20 vm:vm2 192.168.1.20
# 5. floating IP both ways
tcp_expect "5. floating IP: vm1 -> outside" 192.168.1.116 outside 192.168.1.20 vm:vm1 192.168.1.20
await "outside -> 192.168.1.116 (floating IP)" 60 in_outside ping -n -c 1 -W 1 192.168.1.116
tcp_expect "5. floating IP: outside -> vm1" 192.168.1.20 vm:vm1 "${VM_IP[vm1]}" outside 192.168.1.116
# MTU: full-size packets of the VXLAN networks (1450 bytes, DF set) cross hosts east-west, leave
# through SNAT and reach the floating IP from outside.
full=(ping -n -c 1 -W 1 -M do -s 1422)
await "1450-byte packets vm1 -> vm2" 30 in_vm compute1 vm1 "${full[@]}" "${VM_IP[vm2]}"
await "1450-byte packets vm2 -> outside" 30 in_vm compute2 vm2 "${full[@]}" 192.168.1.20
await "1450-byte packets outside -> floating IP" 30 in_outside "${full[@]}" 192.168.1.116
ok "full-size packets (1450 bytes, not fragmented) east-west, through SNAT and to the floating IP"
seed_ms=$(ms_since "$up_start")
echo "up_to_seed_traffic_ms=$seed_ms" >>"$REPORT"
ok "the seed topology passes all five kinds of traffic $seed_ms ms after up"

# At rest: image sizes and each container's memory.
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'dvr' | sed 's/^/image /' >>"$REPORT"
for s in postgres api-gateway scheduler-svc mac-allocator-svc arp-svc network compute1 compute2 outside; do
  echo "pss_mib $s $(pss_mib "$(cid "$s")")" >>"$REPORT"
done

# Scaling: a second scheduler-svc and arp-svc join the cluster; then one instance of each is
# killed (-9) while a new VM is wired, and comes back (restart policy).
# `scale`, not a second `up --scale`: docker-compose 1.29 compares the networks' IPAM options with
# what it asked for, podman adds {"driver": "host-local"}, and `up` then refuses to go on.
compose scale scheduler-svc=2 arp-svc=2 >/dev/null 2>&1
healthy() { [[ $(podman inspect -f '{{.State.Health.Status}}' "$1") == healthy ]]; }
for s in scheduler-svc arp-svc; do await "$s #2 healthy" 180 healthy "$(cid "$s" 2)"; done
ok "scaled: two scheduler-svc and two arp-svc"
declare -A killed
for s in scheduler-svc arp-svc; do
  c=$(cid "$s" 1)
  killed[$s]=$(pid_of "$c")
  kill -9 "${killed[$s]}"
done
ok "killed one scheduler-svc and one arp-svc (kill -9)"
dvrctl port-create net91 --name vm5 --host compute2 --fixed-ip ip_address=91.1.180.5 >/dev/null
vm compute2 vm5 vm5
await "port vm5 ACTIVE with one scheduler-svc and one arp-svc" 120 port_active vm5
await "vm5 -> vm1 (a new subnet's VM, routed)" 60 ping_vm vm5 "${VM_IP[vm1]}"
ok "a VM added while an instance of each scaled service was dead is wired and routed"
restarted() { local p; p=$(pid_of "$1") && [[ $p != 0 && $p != "$2" ]] && healthy "$1"; }
for s in scheduler-svc arp-svc; do await "$s #1 restarted and healthy" 180 restarted "$(cid "$s" 1)" "${killed[$s]}"; done
ok "the killed instances are back"

# A host agent killed (-9): its container restarts with a fresh /run/netns; the VMs of that host
# are gone with it (like a host reboot) and are plugged again; traffic flows again.
c=$(cid compute1)
old=$(pid_of "$c")
kill -9 "$old"
agent_kill=$(now)
await "compute1 restarted" 120 restarted "$c" "$old"
await "compute1 alive again" 180 agents_alive
vm compute1 vm1 vm1
vm compute1 vm3 vm3
await "port vm1 ACTIVE again" 120 port_active vm1
await "vm1 -> vm2 after the agent's restart" 90 ping_vm vm1 "${VM_IP[vm2]}"
tcp_expect "floating IP after the agent's restart: outside -> vm1" 192.168.1.20 vm:vm1 "${VM_IP[vm1]}" outside 192.168.1.116
if compose logs --no-color compute1 2>/dev/null | grep -q 'failed: Invalid argument'; then
  die "compute1 met a dead namespace file after its restart"
fi
echo "agent_kill_to_traffic_ms=$(ms_since "$agent_kill")" >>"$REPORT"
ok "compute1 recovered after kill -9 ($(ms_since "$agent_kill") ms to traffic)"

echo "total_ms=$(ms_since "$run_start")" >>"$REPORT"
log "passed in $(ms_since "$run_start") ms; figures in $REPORT"
