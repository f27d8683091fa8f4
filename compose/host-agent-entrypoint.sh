#!/bin/sh
# Brings up this host's Open vSwitch with the userspace datapath and the DVR bridges, then runs
# the agent. The host's name and mode come from DVR_HOST_NAME and DVR_AGENT_MODE.
set -eu
mkdir -p /etc/openvswitch /run/openvswitch /var/log/openvswitch
[ -f /etc/openvswitch/conf.db ] || ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server /etc/openvswitch/conf.db --remote=punix:/run/openvswitch/db.sock --pidfile --detach --log-file
ovs-vsctl --no-wait init
ovs-vswitchd --pidfile --detach --log-file
for bridge in br-int br-tun br-ex; do
  ovs-vsctl --may-exist add-br "$bridge" -- set bridge "$bridge" datapath_type=netdev
done
ovs-vsctl set bridge br-tun fail_mode=secure
ovs-vsctl --may-exist add-port br-int patch-tun -- set interface patch-tun type=patch options:peer=patch-int
ovs-vsctl --may-exist add-port br-tun patch-int -- set interface patch-int type=patch options:peer=patch-tun
exec /app/entrypoint.sh "$@"
