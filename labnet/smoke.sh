#!/usr/bin/env bash
# smoke.sh: checks a running lab without any agent: two VMs on compute1 and compute2 on one VLAN
# reach each other through br-int, br-tun and the VXLAN underlay (ping and TCP), and a namespace
# on the network host's br-ex reaches the outside host. It adds flows with its own cookie and its
# own VMs, and removes them all at the end, whatever the outcome.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_lab

COOKIE=0x5e0
passed=0 failed=0
check() {
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then
    passed=$((passed + 1)); log "ok: $what"
  else
    failed=$((failed + 1)); log "FAILED: $what"
  fi
}

cleanup() {
  for h in compute1 compute2; do
    on_host "$h" ovs-ofctl -O OpenFlow13 del-flows br-int "cookie=$COOKIE/-1" 2>/dev/null || true
    on_host "$h" ovs-ofctl -O OpenFlow13 del-flows br-tun "cookie=$COOKIE/-1" 2>/dev/null || true
  done
  "$LABNET_SCRIPTS/vm.sh" --delete compute1 smoke1 2>/dev/null || true
  "$LABNET_SCRIPTS/vm.sh" --delete compute2 smoke2 2>/dev/null || true
  for h in network network2; do
    on_host "$h" ovs-vsctl --if-exists del-port br-ex v-smokex 2>/dev/null || true
    on_host "$h" ip netns del smokex 2>/dev/null || true
  done
  for pid in $(ip netns pids lab-outside 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap "exit 130" INT TERM

# Waits (at most 5 s) until a TCP port listens inside a namespace of a host.
listening() {
  local host=$1 ns=$2 port=$3
  for _ in $(seq 50); do
    on_host "$host" ip netns exec "$ns" ss -Hltn "sport = :$port" | grep -q . && return 0
    sleep 0.1
  done
  return 1
}

start=$(date +%s%N)
"$LABNET_SCRIPTS/vm.sh" compute1 smoke1 fa:16:3e:5e:00:01 10.250.0.1/24 - 5 >/dev/null
"$LABNET_SCRIPTS/vm.sh" compute2 smoke2 fa:16:3e:5e:00:02 10.250.0.2/24 - 5 >/dev/null
declare -A PEER=([compute1]=172.31.0.13 [compute2]=172.31.0.12)
for h in compute1 compute2; do
  tun=$(vxlan_port "${PEER[$h]}")
  on_host "$h" ovs-ofctl -O OpenFlow13 add-flow br-int "cookie=$COOKIE,table=0,priority=1,actions=NORMAL"
  on_host "$h" ovs-ofctl -O OpenFlow13 add-flow br-tun \
    "cookie=$COOKIE,table=0,priority=1,in_port=patch-int,dl_vlan=5,actions=pop_vlan,set_field:0x5e0->tun_id,output:$tun"
  # The VLAN tag must not cross the tunnel: with it a 1450-byte frame no longer fits the underlay.
  on_host "$h" ovs-ofctl -O OpenFlow13 add-flow br-tun \
    "cookie=$COOKIE,table=0,priority=1,in_port=$tun,tun_id=0x5e0,actions=push_vlan:0x8100,set_field:4101->vlan_vid,output:patch-int"
done
check "ping compute1 -> compute2 across VXLAN" on_host compute1 ip netns exec smoke1 ping -c 3 -i 0.2 -W 2 10.250.0.2
on_host compute2 ip netns exec smoke2 nc -n -d -l -p 5001 </dev/null >"$LABNET_DIR/smoke-tcp.out" &
listening compute2 smoke2 5001
check "TCP compute1 -> compute2 across VXLAN" on_host compute1 ip netns exec smoke1 \
  bash -c 'head -c 200000 /dev/zero | nc -n -N -w 5 10.250.0.2 5001'
wait || true
check "200000 bytes arrived" test "$(stat -c %s "$LABNET_DIR/smoke-tcp.out")" -eq 200000

quiet() { "$@" >/dev/null; }
# Both network nodes reach the outside host through their br-ex.
declare -A EXT_ADDRESS=([network]=192.168.1.99/24 [network2]=192.168.1.98/24)
for h in network network2; do
  on_host "$h" ip netns add smokex
  on_host "$h" ip link add v-smokex type veth peer name eth0 netns smokex
  on_host "$h" ip -n smokex link set eth0 up
  on_host "$h" ip -n smokex addr add "${EXT_ADDRESS[$h]}" dev eth0
  quiet on_host "$h" ip netns exec smokex ethtool -K eth0 tx off
  on_host "$h" ip link set v-smokex up
  on_host "$h" ovs-vsctl add-port br-ex v-smokex
  check "ping $h br-ex -> outside host 192.168.1.20" on_host "$h" ip netns exec smokex ping -c 3 -i 0.2 -W 2 192.168.1.20
done
ip netns exec lab-outside nc -n -d -l -p 5002 </dev/null >"$LABNET_DIR/smoke-ext.out" &
for _ in $(seq 50); do ip netns exec lab-outside ss -Hltn "sport = :5002" | grep -q . && break; sleep 0.1; done
check "TCP network br-ex -> outside host" on_host network ip netns exec smokex \
  bash -c 'head -c 100000 /dev/zero | nc -n -N -w 5 192.168.1.20 5002'
wait || true
check "100000 bytes arrived outside" test "$(stat -c %s "$LABNET_DIR/smoke-ext.out")" -eq 100000
rm -f "$LABNET_DIR/smoke-tcp.out" "$LABNET_DIR/smoke-ext.out"
log "smoke took $((($(date +%s%N) - start) / 1000000)) ms"
echo "smoke: $passed passed, $failed failed"
((failed == 0))
