#!/usr/bin/env bash
# down.sh: tears the lab down: daemons by pid file, processes left in the lab's namespaces by
# namespace, then the namespaces, mounts and files the lab made; nothing else. Safe to repeat.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $(id -u) -eq 0 ]] || die "teardown needs root"
start=$(date +%s%N)
mapfile -t hosts < <(lab_hosts)
if [[ -d $HOSTS_DIR ]]; then
  for d in "$HOSTS_DIR"/*/; do
    [[ -d $d ]] && hosts+=("$(basename "$d")")
  done
fi
for h in $(printf '%s\n' "${hosts[@]}" | sort -u); do
  host_down "$h"
done
for ns in lab-underlay lab-outside; do
  if netns_exists "$ns"; then
    for pid in $(ip netns pids "$ns"); do
      kill -9 "$pid" 2>/dev/null || true
    done
    ip netns del "$ns"
  fi
done
lab_dir_down

left=$(netns_names | grep -E '^lab-(network2?|compute[0-9]+|underlay|outside)$' || true)
[[ -z $left ]] || die "still present after teardown: $left"
log "down in $((($(date +%s%N) - start) / 1000000)) ms"
