#!/usr/bin/env bash
# up.sh: brings up the lab (network nodes network and network2, compute1 .. computeN;
# N = LABNET_COMPUTES, default 2) on
# this machine, as shared/docs/lab-notes.md describes it. Each host: netns lab-<host> + own mount and UTS
# namespaces, private /run/netns, own Open vSwitch (userspace datapath) with br-int, br-tun,
# br-ex and br-phy holding the underlay IP; VXLAN ports between all hosts; br-ex of each host on
# the external network, where lab-outside holds 192.168.1.20 (outside host) and 192.168.1.1.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_hosts >/dev/null # says what is wrong with LABNET_COMPUTES, in this shell
mapfile -t HOSTS < <(lab_hosts)
declare -A UNDERLAY=()
for h in "${HOSTS[@]}"; do UNDERLAY[$h]=$(underlay_ip "$h"); done
OUTSIDE_HOST=192.168.1.20/24
EXTERNAL_GATEWAY=192.168.1.1/24

require_lab
for ns in lab-underlay lab-outside "${HOSTS[@]/#/lab-}"; do
  netns_exists "$ns" && die "netns $ns exists: a lab is up; run labnet/down.sh first"
done
trap 'echo "labnet: up.sh failed at line $LINENO; tearing down" >&2; "$LABNET_SCRIPTS/down.sh" >&2 || true' ERR
start=$(date +%s%N)

quiet() { "$@" >/dev/null; }

ensure_nsdir
make_dir_once /run/netns
ip netns add lab-underlay
ip -n lab-underlay link set lo up
ip -n lab-underlay link add br0 type bridge
ip -n lab-underlay link set br0 up
ip netns add lab-outside
ip -n lab-outside link set lo up
ip -n lab-outside link add br-out type bridge
ip -n lab-outside link set br-out up
# The outside host's address first: it is the source of connections started outside.
ip -n lab-outside addr add "$OUTSIDE_HOST" dev br-out
ip -n lab-outside addr add "$EXTERNAL_GATEWAY" dev br-out

for h in "${HOSTS[@]}"; do
  host_up "$h" 2>>"$LABNET_DIR/daemons.log"
  # Underlay: eth0 of the host into the underlay bridge; the IP sits on br-phy (native tunnelling).
  ip link add "u-$h" type veth peer name eth0 netns "lab-$h"
  ip link set "u-$h" netns lab-underlay
  ip -n lab-underlay link set "u-$h" master br0 up
  quiet ip netns exec lab-underlay ethtool -K "u-$h" tx off
  on_host "$h" ip link set eth0 up
  quiet on_host "$h" ethtool -K eth0 tx off
  mac=$(on_host "$h" cat /sys/class/net/eth0/address)
  on_host "$h" ovs-vsctl add-br br-phy -- set Bridge br-phy datapath_type=netdev "other_config:hwaddr=\"$mac\"" \
    -- add-port br-phy eth0
  on_host "$h" ip addr add "${UNDERLAY[$h]}/24" dev br-phy
  on_host "$h" ip link set br-phy up
  # External network: eth1 of the host into the outside bridge, a port of br-ex.
  ip link add "x-$h" type veth peer name eth1 netns "lab-$h"
  ip link set "x-$h" netns lab-outside
  ip -n lab-outside link set "x-$h" master br-out up
  quiet ip netns exec lab-outside ethtool -K "x-$h" tx off
  on_host "$h" ip link set eth1 up
  quiet on_host "$h" ethtool -K eth1 tx off
  on_host "$h" ovs-vsctl add-port br-ex eth1
done

# One ovs-vsctl transaction per host for its whole mesh (N-1 tunnel ports).
for h in "${HOSTS[@]}"; do
  mesh=()
  for p in "${HOSTS[@]}"; do
    [[ $p == "$h" ]] && continue
    port=$(vxlan_port "${UNDERLAY[$p]}")
    mesh+=(-- add-port br-tun "$port" -- set Interface "$port" type=vxlan "options:remote_ip=${UNDERLAY[$p]}"
      "options:local_ip=${UNDERLAY[$h]}" options:in_key=flow options:out_key=flow)
  done
  on_host "$h" ovs-vsctl "${mesh[@]}"
done

trap - ERR
log "up in $((($(date +%s%N) - start) / 1000000)) ms; ${#HOSTS[@]} hosts: ${HOSTS[*]} (underlay ${UNDERLAY[network]} .. ${UNDERLAY[${HOSTS[-1]}]})"
log "outside: netns lab-outside, ${OUTSIDE_HOST%/*} and gateway ${EXTERNAL_GATEWAY%/*}; files in $LABNET_DIR"
log "try: $LABNET_SCRIPTS/on-host.sh compute1 ovs-vsctl show; tear down: $LABNET_SCRIPTS/down.sh"
