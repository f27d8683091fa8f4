#!/usr/bin/env bash
# on-host.sh HOST CMD...: runs CMD inside a lab host (its network, mount and UTS namespaces), so
# that ip netns, ovs-vsctl and ovs-ofctl see that host's namespaces and Open vSwitch.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ $# -ge 2 ]] || die "usage: on-host.sh HOST CMD [ARGS...]"
host=$1
shift
on_host "$host" "$@"
