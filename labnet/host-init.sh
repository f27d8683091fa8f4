#!/usr/bin/env bash
# Runs once inside a new host's mount and UTS namespaces (started by lib.sh host_up): makes the
# host's private /run/netns, sysfs and Open vSwitch directories, and names the host.
set -euo pipefail
host=$1 hd=$2 nsdir=$3
# Copies of the root's mounts would pin other namespaces: drop them first.
umount -l /run/netns 2>/dev/null || true
umount -l "$nsdir" 2>/dev/null || true
mount -t tmpfs -o size=4m,mode=755 "labnet-netns-$host" /run/netns
mount -t sysfs "labnet-sysfs-$host" /sys
mount --bind "$hd/etc" /etc/openvswitch
mount --bind "$hd/run" /run/openvswitch
mount --bind "$hd/log" /var/log/openvswitch
hostname "$host"
