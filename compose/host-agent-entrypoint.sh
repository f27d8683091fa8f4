#!/bin/sh
# Makes this container a DVR host, then runs the agent (DVR_HOST_NAME, DVR_AGENT_MODE):
# - its own Open vSwitch (userspace datapath) with br-int, br-tun (fail_mode=secure: flows come
#   from the agent) and br-ex, patched like Neutron's;
# - the tunnel address DVR_AGENT_TUNNEL_IP moved from its interface onto br-phy, that interface
#   a port of br-phy: userspace VXLAN routes only through an address on an OVS bridge;
# - the interface holding DVR_EXTERNAL_PORT_IP (if set) emptied and made a port of br-ex.
# Safe to run again on a restarted container (everything --may-exist). Checksum offload is off on
# what sends into OVS (TCP through the userspace datapath needs it).
set -eu
log() { echo "host-agent-entrypoint: $*"; }

# The interface holding an IPv4 address (empty if none).
iface_of() {
  ip -o -4 addr show | awk -v a="$1" '{split($4, p, "/"); if (p[1] == a) print $2}' | head -n 1
}

mkdir -p /etc/openvswitch /run/openvswitch /var/log/openvswitch
[ -f /etc/openvswitch/conf.db ] || ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server /etc/openvswitch/conf.db --remote=punix:/run/openvswitch/db.sock --pidfile --detach --log-file
ovs-vsctl --no-wait init
ovs-vswitchd --pidfile --detach --log-file
ovs-vsctl --may-exist add-br br-int -- set bridge br-int datapath_type=netdev fail_mode=secure \
  -- --may-exist add-br br-tun -- set bridge br-tun datapath_type=netdev fail_mode=secure \
  -- --may-exist add-br br-ex -- set bridge br-ex datapath_type=netdev \
  -- --may-exist add-port br-int patch-tun -- set interface patch-tun type=patch options:peer=patch-int \
  -- --may-exist add-port br-tun patch-int -- set interface patch-int type=patch options:peer=patch-tun
ip link set br-ex up

if [ -n "${DVR_AGENT_TUNNEL_IP:-}" ]; then
  dev=$(iface_of "$DVR_AGENT_TUNNEL_IP")
  if [ -n "$dev" ] && [ "$dev" != br-phy ]; then
    prefix=$(ip -o -4 addr show dev "$dev" | awk '{print $4}' | head -n 1)
    mac=$(cat "/sys/class/net/$dev/address")
    ethtool -K "$dev" tx off >/dev/null 2>&1 || true
    ovs-vsctl --may-exist add-br br-phy -- set bridge br-phy datapath_type=netdev "other_config:hwaddr=\"$mac\"" \
      -- --may-exist add-port br-phy "$dev"
    ip addr flush dev "$dev"
    ip addr add "$prefix" dev br-phy
    ip link set br-phy up
    log "tunnel address $prefix moved from $dev to br-phy"
  elif [ -z "$dev" ]; then
    log "DVR_AGENT_TUNNEL_IP=$DVR_AGENT_TUNNEL_IP is on no interface of this container" >&2
    exit 1
  fi
fi

if [ -n "${DVR_EXTERNAL_PORT_IP:-}" ]; then
  dev=$(iface_of "$DVR_EXTERNAL_PORT_IP")
  if [ -n "$dev" ]; then
    ethtool -K "$dev" tx off >/dev/null 2>&1 || true
    ip addr flush dev "$dev"
    ovs-vsctl --may-exist add-port br-ex "$dev"
    log "external network on $dev, a port of br-ex"
  elif ! ovs-vsctl list-ports br-ex | grep -q .; then
    log "DVR_EXTERNAL_PORT_IP=$DVR_EXTERNAL_PORT_IP is on no interface of this container" >&2
    exit 1
  fi
fi
# The cluster address: the one this container reaches the first cluster member from (a host has
# several networks here, so the first address of the host name may be the wrong one).
if [ -z "${DVR_CLUSTER_HOST:-}" ] && [ -n "${DVR_CLUSTER_MEMBERS:-}" ]; then
  member=${DVR_CLUSTER_MEMBERS%%,*}
  member_ip=$(getent ahostsv4 "${member%:*}" | awk 'NR == 1 {print $1}')
  if [ -n "$member_ip" ]; then
    DVR_CLUSTER_HOST=$(ip -o route get "$member_ip" | sed -n 's/.* src \([0-9.]*\).*/\1/p')
    export DVR_CLUSTER_HOST
  fi
fi
# The agent compiled ahead of time (Dockerfile.host-agent-native) needs no JVM, only a heap bound.
if [ -x /app/host-agent ]; then
  exec /app/host-agent ${DVR_AGENT_NATIVE_OPTS:--Xmx32m} "$@"
fi
exec /app/entrypoint.sh "$@"
