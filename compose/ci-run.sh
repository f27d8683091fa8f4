#!/usr/bin/env bash
# compose/ci-run.sh: runs the compose deployment for real, as a user without Docker would: podman
# (Debian's package) serving its Docker-compatible socket, Debian's docker-compose 1.29 on it,
# base images made here from Debian packages (no registry needed). It builds the images from the
# jars of `mvn -B verify`/`package`, brings the stack up, drives the seed's topology through the
# API with dvrctl, checks real packets (the seed's five traffic kinds between VMs on the agents'
# hosts, SNAT and a floating IP to the outside host), checks that it runs secure (TLS and tokens:
# a plaintext client and a call without a token are refused; each container holds only its own
# keys), that Prometheus scrapes every service and agent over TLS and has every series the
# Grafana dashboard queries, that the agents are no cluster members but attached to the two relays,
# kills one instance of each scaled service and one host agent and sees them recover, stops a data
# member's container with no grace (its address vanishes) and sees a VM wired meanwhile, stops each
# relay in turn under its agents and sees a change made meanwhile reach them through the other,
# restarts one host's Open vSwitch and sees its agent set its flows again, then tears everything
# down (`down -v`).
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
SECURITY=$RUNDIR/security
export DVR_CI_STATE=$STATE COMPOSE_PROJECT_NAME=$PROJECT DVR_COMPOSE_SECURITY_DIR=$SECURITY
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
# DVR_CI_AGENT=native: the host agents compiled ahead of time (docker-compose.native-agent.yml; the
# executable built first with host-agent-svc/native/agent/build-agent.sh), the JVM agent otherwise.
AGENT=${DVR_CI_AGENT:-jvm}
COMPOSE_FILES=(-f "$ROOT/compose/docker-compose.yml")
[[ $AGENT == native ]] && COMPOSE_FILES+=(-f "$ROOT/compose/docker-compose.native-agent.yml")
compose() { timeout 900 docker-compose "${COMPOSE_FILES[@]}" "$@"; }

# shellcheck source=ci/lib.sh
source "$ROOT/compose/ci/lib.sh"

# ---- the run ---------------------------------------------------------------------------------

[[ $(id -u) -eq 0 ]] || die "needs root (podman, namespaces)"
install_needs
for jar in api-gateway scheduler-svc mac-allocator-svc arp-svc relay-svc host-agent-svc dvrctl; do
  ls "$ROOT"/$jar/target/*-all.jar >/dev/null 2>&1 || die "no $jar jar: build first (mvn -B -DskipTests package)"
done
case $AGENT in
  jvm) ;;
  native) [[ -x $ROOT/host-agent-svc/native/agent/out/host-agent ]] \
    || die "DVR_CI_AGENT=native: no host-agent-svc/native/agent/out/host-agent (host-agent-svc/native/README.md)" ;;
  *) die "DVR_CI_AGENT=$AGENT: jvm or native" ;;
esac
DVRCTL_JAR=$(ls "$ROOT"/dvrctl/target/dvrctl-*-all.jar | head -n 1)
run_start=$(now)
configure_podman
teardown
trap on_exit EXIT
trap 'exit 130' INT TERM
start_service
mkdir -p "$STATE"
: >"$REPORT"
echo "agent=$AGENT" >>"$REPORT"

t=$(now)
DVR_BASE_IMAGE=$("$ROOT/compose/ci/base-image.sh")
export DVR_BASE_IMAGE
export DVR_POSTGRES_IMAGE=localhost/dvr-postgres:15
timeout 900 podman build -q --format docker --layers --build-arg "BASE_IMAGE=$DVR_BASE_IMAGE" \
  -f compose/ci/Dockerfile.postgres -t "$DVR_POSTGRES_IMAGE" . >/dev/null
# Prometheus from Debian's package (compose's default is the official image); Grafana has no
# Debian package and no registry is reachable here: it is left out of the run.
export DVR_PROMETHEUS_IMAGE=localhost/dvr-prometheus:2.42
timeout 900 podman build -q --format docker --layers --build-arg "BASE_IMAGE=$DVR_BASE_IMAGE" \
  -f compose/ci/Dockerfile.prometheus -t "$DVR_PROMETHEUS_IMAGE" . >/dev/null
log "base images ready in $(ms_since "$t") ms ($DVR_BASE_IMAGE, $DVR_POSTGRES_IMAGE, $DVR_PROMETHEUS_IMAGE)"

t=$(now)
compose build -q >"$RUNDIR/build.log" 2>&1 || { tail -40 "$RUNDIR/build.log" >&2; die "compose build"; }
echo "build_ms=$(ms_since "$t")" >>"$REPORT"
log "images built in $(ms_since "$t") ms"

# The API on a free port of this machine (9090 may be taken by a lab running here).
API_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DVR_API_PUBLISHED_PORT=$API_PORT
API=127.0.0.1:$API_PORT
REST_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DVR_REST_PUBLISHED_PORT=$REST_PORT
PROMETHEUS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DVR_PROMETHEUS_PUBLISHED_PORT=$PROMETHEUS_PORT
# The deployment runs secure (compose's default): security-init makes the CA, key stores and the
# admin token on the first `up` into a fresh directory of this run (removed at teardown); dvrctl
# then uses its client/ca.pem and client/admin.token.
[[ ${DVR_INSECURE:-false} != true ]] || die "DVR_INSECURE=true: this run checks the secure deployment"
rm -rf "$SECURITY"
mkdir -p "$SECURITY"
start_health_pump
up_start=$(now)
# Every service but Grafana (no image here).
compose up -d $(compose config --services | grep -vx grafana)
log "compose up returned after $(ms_since "$up_start") ms"
await "every agent alive (dvrctl agent-list)" 240 agents_alive
agents_ms=$(ms_since "$up_start")
echo "up_to_agents_alive_ms=$agents_ms" >>"$REPORT"
ok "three agents alive $agents_ms ms after up"
security_checks
# The agents are no cluster members: each holds one stream to a relay (no Hazelcast socket), the
# first of its DVR_AGENT_RELAYS: relay1 for network and compute1, relay2 for compute2.
await "no agent in the cluster, each on one relay stream" 60 agents_off_cluster
await "network and compute1 on relay1, compute2 on relay2" 60 relays_carry relay1 "network compute1" relay2 compute2
ok "agents attached through relays, none a cluster member: $(relays_now)"

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
rest_checks

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
metrics_checks

# At rest: image sizes and each container's memory.
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'dvr' | sed 's/^/image /' >>"$REPORT"
for s in postgres api-gateway scheduler-svc mac-allocator-svc arp-svc relay1 relay2 network compute1 compute2 outside; do
  echo "pss_mib $s $(pss_mib "$(cid "$s")")" >>"$REPORT"
done
# The agent process alone (the container's first process: the entrypoints exec it), beside its
# container's Open vSwitch.
for s in network compute1 compute2; do
  echo "agent_rss_mib $s $(awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$(pid_of "$(cid "$s")")/status")" >>"$REPORT"
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
  killed[$s]=$(pid_of "$(cid "$s" 1)")
done
# Both killed within milliseconds: two data members of the cluster gone without leaving. Until
# the others remove them (Hazelcast's failure detection), writes to the partitions they owned
# wait, among them the bus's registrations; the figure below includes that wait.
service_kill=$(now)
service_kill_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for s in scheduler-svc arp-svc; do kill -9 "${killed[$s]}"; done
ok "killed one scheduler-svc and one arp-svc (kill -9) at $(date -u +%T.%3N)"
dvrctl port-create net91 --name vm5 --host compute2 --fixed-ip ip_address=91.1.180.5 >/dev/null
vm compute2 vm5 vm5
await "port vm5 ACTIVE with one scheduler-svc and one arp-svc" 120 port_active vm5
echo "service_kill_to_port_active_ms=$(ms_since "$service_kill")" >>"$REPORT"
ok "vm5 ACTIVE $(ms_since "$service_kill") ms after the kill"
await "vm5 -> vm1 (a new subnet's VM, routed)" 60 ping_vm vm5 "${VM_IP[vm1]}"
ok "a VM added while an instance of each scaled service was dead is wired and routed"
restarted() { local p; p=$(pid_of "$1") && [[ $p != 0 && $p != "$2" ]] && healthy "$1"; }
for s in scheduler-svc arp-svc; do await "$s #1 restarted and healthy" 180 restarted "$(cid "$s" 1)" "${killed[$s]}"; done
ok "the killed instances are back"
# When the surviving data members gave up on the killed ones (podman's timestamps, UTC).
member_removals() {
  timeout 60 podman logs -t --since "$2" "$1" 2>&1 \
    | grep -E 'Removing connection to endpoint|Suspecting|a cluster member left' \
    | sed -E "s/^([^ ]*) .*(Removing|Suspecting|a cluster member left)/  $(podman inspect -f '{{.Name}}' "$1"): \\1 \\2/" \
    | cut -c1-300 | while read -r l; do log "$l"; done || true
}
for c in "$(cid api-gateway)" "$(cid scheduler-svc 2)" "$(cid arp-svc 2)"; do member_removals "$c" "$service_kill_at"; done

# A data member's container stopped with no grace (stop -t 0): its address vanishes, so connects
# to it time out instead of being refused, as when a host is lost. The others remove it after a few
# connect time-outs (cluster.connect-timeout-seconds); a VM made meanwhile is wired and routed.
c=$(cid arp-svc 2)
member_stop=$(now)
member_stop_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
podman stop -t 0 "$c" >/dev/null
ok "arp-svc #2 stopped with no grace at $(date -u +%T.%3N)"
dvrctl port-create net91 --name vm6 --host compute2 --fixed-ip ip_address=91.1.180.6 >/dev/null
vm compute2 vm6 vm6
await "port vm6 ACTIVE with arp-svc #2 stopped" 120 port_active vm6
await "vm6 -> vm1 (routed) with arp-svc #2 stopped" 60 ping_vm vm6 "${VM_IP[vm1]}"
ms=$(ms_since "$member_stop")
echo "data_member_stop_to_port_active_ms=$ms" >>"$REPORT"
ok "a VM made after a data member vanished is wired and routed ($ms ms from the stop)"
for m in "$(cid api-gateway)" "$(cid scheduler-svc 1)" "$(cid arp-svc 1)"; do member_removals "$m" "$member_stop_at"; done
podman start "$c" >/dev/null
await "arp-svc #2 healthy again" 180 healthy "$c"
ok "arp-svc #2 started again"

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
if [[ $(compose logs --no-color compute1 2>/dev/null) == *'failed: Invalid argument'* ]]; then
  die "compute1 met a dead namespace file after its restart"
fi
echo "agent_kill_to_traffic_ms=$(ms_since "$agent_kill")" >>"$REPORT"
ok "compute1 recovered after kill -9 ($(ms_since "$agent_kill") ms to traffic)"

# A relay stopped at once (stop -t 0: no grace) under its agents: they attach to the other relay
# and fetch in full; a floating IP made after the stop is reachable on the host of its VM, whose
# agent was attached to the stopped relay; the relay is started again (at another address: the
# agents look its name up again). Then the same with the other relay, so the one brought back is
# seen to carry agents again.
relay_down() {
  local down=$1 up=$2 fip=$3 vm=$4 t made before ms stopped_at
  before=$(relays_now)
  t=$(now)
  stopped_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  compose stop -t 0 "$down" >/dev/null 2>&1
  ok "$down stopped (before: $before)"
  await "every agent on $up" 60 relays_carry "$up" "network compute1 compute2"
  dvrctl floatingip-create ext-net --floating-ip-address "$fip" --port-id "$vm" >/dev/null
  made=$(now)
  await "outside -> $fip (made with $down stopped)" 60 in_outside ping -n -c 1 -W 1 "$fip"
  # From the create's answer to the first ping answered: the change's way through the control
  # plane and the relay to the agent, and the agent's apply (the rest of the figure below is this
  # run's own stopping, checking and client start-up).
  echo "relay_${down}_fip_to_ping_ms=$(ms_since "$made")" >>"$REPORT"
  tcp_expect "floating IP made with $down stopped: outside -> $vm on ${VM_HOST[$vm]}" 192.168.1.20 "vm:$vm" "${VM_IP[$vm]}" outside "$fip"
  ms=$(ms_since "$t")
  # How each agent on the stopped relay learnt it (the stream closed, or keepalives missed): read
  # from the logs after the figure is taken.
  local h
  for h in ${before//;/ }; do
    [[ $h == network || $h == compute1 || $h == compute2 ]] || continue
    if [[ $before == *"$h on $down"* ]]; then
      log "  $(agent_log "$h" | grep -o "host $h: relay $down:9097: .*" | tail -n 1)"
    fi
  done
  # Still on the other relay: the change came through it.
  relays_carry "$up" "network compute1 compute2" >/dev/null || die "an agent left $up while $down was stopped: $(relays_now)"
  echo "relay_${down}_stop_to_fip_ms=$ms" >>"$REPORT"
  ok "$down stopped: its agents moved to $up and a floating IP made after reached ${VM_HOST[$vm]} ($ms ms from the stop)"
  t=$(now)
  compose start "$down" >/dev/null 2>&1
  await "$down healthy again" 180 healthy "$(cid "$down")"
  echo "relay_${down}_start_to_healthy_ms=$(ms_since "$t")" >>"$REPORT"
  ok "$down started again ($(ms_since "$t") ms to healthy)"
  member_removals "$(cid api-gateway)" "$stopped_at"
}
relay_down relay1 relay2 192.168.1.117 vm3
relay_down relay2 relay1 192.168.1.118 vm4

# Open vSwitch restarted on a host keeps its bridges and ports (its database) but no flow: the
# agent sees br-int's canary flow gone and sets every flow again at once, not at its next resync.
c=$(cid compute2)
t=$(now)
# `exit` returns before the process is gone; the new one refuses to start while its pidfile is held.
vswitchd_gone() { ! podman exec "$c" test -e /var/run/openvswitch/ovs-vswitchd.pid; }
podman exec "$c" ovs-appctl -t ovs-vswitchd exit >/dev/null
await "compute2's ovs-vswitchd exited" 30 vswitchd_gone
podman exec "$c" ovs-vswitchd --pidfile --detach --log-file >/dev/null
# The new ovs-vswitchd starts with no flow, so br-int's canary flow (table 23) back means the agent
# set its flows again. It notices in one of two ways: its canary poll finds the flow gone, or its
# port monitor sees the bridges' ports come back and applies in full at once, often before the poll.
# Not `| grep -q`: under pipefail, grep leaving early fails podman's write and the pipeline.
canary_back() { [[ $(podman exec "$c" ovs-ofctl -O OpenFlow13 --no-stats dump-flows br-int table=23 2>/dev/null) == *table=23* ]]; }
await "compute2's agent sets br-int's flows again after its switch restarted" 60 canary_back
noticed="its port monitor"
[[ $(podman logs "$c" 2>&1) == *'br-int lost its canary flow'* ]] && noticed="its canary poll"
await "vm1 -> vm2 after compute2's Open vSwitch restarted" 90 ping_vm vm1 "${VM_IP[vm2]}"
ms=$(ms_since "$t")
echo "ovs_restart_to_traffic_ms=$ms" >>"$REPORT"
ok "compute2's Open vSwitch restarted: its agent ($noticed) set its flows again, vm1 -> vm2 in $ms ms"

echo "total_ms=$(ms_since "$run_start")" >>"$REPORT"
log "passed in $(ms_since "$run_start") ms; figures in $REPORT"
