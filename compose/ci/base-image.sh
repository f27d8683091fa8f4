#!/usr/bin/env bash
# base-image.sh: prints the name of a Debian 12 base image in podman's storage, made here with
# debootstrap (minbase) when no registry is reachable. It is cached: its tag is a hash of what
# makes it (this script, the suite, the mirror), so a change to any of them makes a new one and
# older ones are removed. Needs root, debootstrap and podman (CONTAINERS_* set by the caller).
set -euo pipefail
SUITE=${DVR_DEBIAN_SUITE:-bookworm}
MIRROR=${DVR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBS=${DVR_CI_STATE:-/var/lib/dvr-ci}/debs

key=$( { cat "${BASH_SOURCE[0]}"; echo "$SUITE $MIRROR"; } | sha256sum | cut -c1-12)
image=localhost/dvr-debian:$SUITE-$key
if podman image exists "$image"; then
  echo "$image"
  exit 0
fi
work=$(mktemp -d /var/tmp/dvr-debian.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$DEBS"
start=$(date +%s)
# debootstrap checks the suite's signature with Debian's keyring; the .deb cache is kept.
timeout 900 debootstrap --variant=minbase --cache-dir="$DEBS" "$SUITE" "$work/root" "$MIRROR" >"$work/log" 2>&1 \
  || { tail -20 "$work/log" >&2; echo "base-image: debootstrap failed" >&2; exit 1; }
# What an image needs no more: docs, man pages, translations, apt's lists and caches.
rm -rf "$work"/root/usr/share/doc/* "$work"/root/usr/share/man/* "$work"/root/usr/share/locale/* \
  "$work"/root/var/lib/apt/lists/* "$work"/root/var/cache/apt/* "$work"/root/var/log/*.log
echo "deb $MIRROR $SUITE main" >"$work/root/etc/apt/sources.list"
tar -C "$work/root" -c . | podman import --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
# Older bases (other keys) go.
podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/dvr-debian:' | grep -vx "$image" \
  | xargs -r podman rmi >/dev/null 2>&1 || true
echo "base-image: made $image with debootstrap in $(($(date +%s) - start)) s" >&2
echo "$image"
