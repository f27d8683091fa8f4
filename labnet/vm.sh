#!/usr/bin/env bash
# vm.sh HOST NAME MAC IP/LEN GW [VLAN] [PORT_ID]: a "VM" on a lab host: namespace NAME inside
# the host, eth0 (MTU 1450 for VXLAN, checksum offload off) paired with v-NAME on br-int.
# VLAN tags the port like the OVS agent would ("-" or absent: the caller or the agent tags it);
# PORT_ID goes to external_ids:iface-id so that an agent finds the port. GW "-": no default route.
# vm.sh --delete HOST NAME removes it again.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ${1:-} == --delete ]]; then
  [[ $# -eq 3 ]] || die "usage: vm.sh --delete HOST NAME"
  on_host "$2" ovs-vsctl --if-exists del-port br-int "v-$3"
  # Deleting the host end removes the pair even while a lingering socket keeps the namespace alive.
  on_host "$2" ip link del "v-$3" 2>/dev/null || true
  for pid in $(on_host "$2" ip netns pids "$3" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  on_host "$2" ip netns del "$3" 2>/dev/null || true
  exit 0
fi
[[ $# -ge 5 && $# -le 7 ]] || die "usage: vm.sh HOST NAME MAC IP/LEN GW [VLAN] [PORT_ID]"
host=$1 name=$2 mac=$3 addr=$4 gw=$5 vlan=${6:--} port_id=${7:-}
[[ $name =~ ^[a-z][a-z0-9]{0,12}$ ]] || die "VM name '$name' must be 1-13 lower-case letters/digits"
[[ $mac =~ ^([0-9a-f]{2}:){5}[0-9a-f]{2}$ ]] || die "MAC '$mac' must be like fa:16:3e:00:00:01"
[[ $vlan == - || $vlan =~ ^[0-9]+$ ]] || die "VLAN '$vlan' must be a number or -"

on_host "$host" ip link del "v-$name" 2>/dev/null || true
on_host "$host" ip netns add "$name"
on_host "$host" ip link add "v-$name" type veth peer name eth0 netns "$name"
on_host "$host" ip -n "$name" link set lo up
on_host "$host" ip -n "$name" link set eth0 address "$mac" mtu 1450 up
on_host "$host" ip -n "$name" addr add "$addr" dev eth0
[[ $gw == - ]] || on_host "$host" ip -n "$name" route add default via "$gw"
on_host "$host" ip netns exec "$name" ethtool -K eth0 tx off >/dev/null
on_host "$host" ip link set "v-$name" mtu 1450 up
args=(ovs-vsctl --may-exist add-port br-int "v-$name")
[[ $vlan == - ]] || args+=("tag=$vlan")
args+=(-- set Interface "v-$name" "external_ids:attached-mac=\"$mac\"")
[[ -z $port_id ]] || args+=("external_ids:iface-id=$port_id")
on_host "$host" "${args[@]}"
log "vm $name on $host: $addr ($mac), port v-$name, tag $vlan"
