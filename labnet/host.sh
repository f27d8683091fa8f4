#!/usr/bin/env bash
# host.sh up|down NAME: one lab host alone (its namespaces and Open vSwitch, no underlay);
# used by the Linux driver's integration tests. LABNET_DIR chooses where its files go.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ $# -eq 2 ]] || die "usage: host.sh up|down NAME"
case $1 in
  up)
    require_lab
    host_up "$2"
    ;;
  down)
    [[ $(id -u) -eq 0 ]] || die "teardown needs root"
    host_down "$2"
    lab_dir_down
    ;;
  *) die "usage: host.sh up|down NAME" ;;
esac
