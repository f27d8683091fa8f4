# shellcheck shell=bash
# Shared functions of the labnet scripts: one Linux machine holding several "hosts", each a
# network + mount + UTS namespace with a private /run/netns and its own Open vSwitch
# (userspace datapath). Sourced, not run.

LABNET_DIR=${LABNET_DIR:-/run/labnet}
NSDIR="$LABNET_DIR/ns"
HOSTS_DIR="$LABNET_DIR/hosts"
LABNET_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LABNET_COMPUTES=${LABNET_COMPUTES:-2}

# The lab's hosts, one a line: network, then compute1 .. compute$LABNET_COMPUTES.
lab_hosts() {
  [[ $LABNET_COMPUTES =~ ^[1-9][0-9]*$ ]] && ((LABNET_COMPUTES >= 1 && LABNET_COMPUTES <= 200)) ||
    die "LABNET_COMPUTES must be a number from 1 to 200, not '$LABNET_COMPUTES'"
  # The network nodes (dvr_snat): two, so that a router's SNAT can be highly available.
  echo network
  echo network2
  local k
  for ((k = 1; k <= LABNET_COMPUTES; k++)); do echo "compute$k"; done
}

# A lab host's underlay address: 172.31.0.11 for network, .10 for network2, 172.31.0.(11+k) for compute k.
underlay_ip() {
  case $1 in
    network) echo 172.31.0.11 ;;
    network2) echo 172.31.0.10 ;;
    compute[0-9]*) echo "172.31.0.$((11 + ${1#compute}))" ;;
    *) die "no underlay address for host '$1'" ;;
  esac
}

die() {
  echo "labnet: $*" >&2
  exit 1
}

log() {
  echo "labnet: $*"
}

# Prints every missing prerequisite at once and exits 2 when there is any.
require_lab() {
  local missing=() tool
  [[ $(id -u) -eq 0 ]] || missing+=("root (run as root: namespaces, mounts and OVS need it)")
  for tool in ip nsenter unshare mount umount mountpoint ethtool iptables-restore ovsdb-tool ovsdb-server \
      ovs-vswitchd ovs-vsctl ovs-ofctl ovs-appctl; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  [[ -f /usr/share/openvswitch/vswitch.ovsschema ]] || missing+=("/usr/share/openvswitch/vswitch.ovsschema")
  [[ -c /dev/net/tun ]] || missing+=("/dev/net/tun (the userspace datapath makes tap devices)")
  if ((${#missing[@]} > 0)); then
    echo "labnet: cannot run the lab; missing:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    echo "labnet: on Debian 12: apt-get install -y openvswitch-switch iproute2 iptables ethtool" >&2
    exit 2
  fi
}

# Namespace names only: ip netns list adds " (id: N)" once a namespace has peers.
netns_names() {
  ip netns list | awk '{print $1}'
}

netns_exists() {
  netns_names | grep -qx "$1"
}

# Runs a command inside a lab host: its network, mount and UTS namespaces.
on_host() {
  local host=$1
  shift
  [[ -e "$NSDIR/$host.mnt" ]] || die "host $host is not up (no $NSDIR/$host.mnt)"
  nsenter --net="/run/netns/lab-$host" --mount="$NSDIR/$host.mnt" --uts="$NSDIR/$host.uts" -- "$@"
}

# The directory of namespace files must be a private bind mount, else copies pin them.
ensure_nsdir() {
  mkdir -p "$NSDIR" "$HOSTS_DIR"
  if ! mountpoint -q "$NSDIR"; then
    mount --bind "$NSDIR" "$NSDIR"
    mount --make-private "$NSDIR"
  fi
}

# Remembers a directory the lab created outside LABNET_DIR, so that teardown removes it again.
make_dir_once() {
  local dir=$1
  if [[ ! -d $dir ]]; then
    mkdir -p "$dir"
    echo "$dir" >>"$LABNET_DIR/created-dirs"
  fi
}

# host_up NAME: the namespaces of one host, its private mounts and its Open vSwitch with
# br-int, br-tun (both fail_mode=secure: flows come from the agent) and br-ex, patched together.
host_up() {
  local host=$1 hd="$HOSTS_DIR/$1"
  [[ $host =~ ^[a-z][a-z0-9]{0,10}$ ]] || die "host name '$host' must be 1-11 lower-case letters/digits"
  netns_exists "lab-$host" && die "host $host is already up (netns lab-$host exists); run down.sh first"
  ensure_nsdir
  make_dir_once /run/netns
  make_dir_once /run/openvswitch
  mkdir -p "$hd/etc" "$hd/run" "$hd/log"
  ip netns add "lab-$host"
  ip -n "lab-$host" link set lo up
  touch "$NSDIR/$host.mnt" "$NSDIR/$host.uts"
  nsenter --net="/run/netns/lab-$host" unshare --mount="$NSDIR/$host.mnt" --uts="$NSDIR/$host.uts" \
    --propagation private "$LABNET_SCRIPTS/host-init.sh" "$host" "$hd" "$NSDIR"
  on_host "$host" ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
  on_host "$host" ovsdb-server /etc/openvswitch/conf.db --remote=punix:/run/openvswitch/db.sock \
    --pidfile --detach --log-file
  on_host "$host" ovs-vsctl --no-wait init
  on_host "$host" ovs-vswitchd --pidfile --detach --log-file
  on_host "$host" ovs-vsctl \
    -- add-br br-int -- set Bridge br-int datapath_type=netdev fail_mode=secure \
    -- add-br br-tun -- set Bridge br-tun datapath_type=netdev fail_mode=secure \
    -- add-br br-ex -- set Bridge br-ex datapath_type=netdev \
    -- add-port br-int patch-tun -- set Interface patch-tun type=patch options:peer=patch-int \
    -- add-port br-tun patch-int -- set Interface patch-int type=patch options:peer=patch-tun
  on_host "$host" ip link set br-ex up
}

# A process that has exited but is not reaped yet (a zombie) counts as gone.
alive() {
  [[ -e /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Stops a daemon of a host by its pid file: a clean exit first, then a kill.
stop_daemon() {
  local rundir=$1 daemon=$2 pid
  [[ -f "$rundir/$daemon.pid" ]] || return 0
  pid=$(cat "$rundir/$daemon.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    if [[ $daemon == ovs-vswitchd ]]; then
      ovs-appctl -t "$rundir/$daemon.$pid.ctl" exit --cleanup >/dev/null 2>&1 || true
    else
      ovs-appctl -t "$rundir/$daemon.$pid.ctl" exit >/dev/null 2>&1 || true
    fi
    for _ in $(seq 50); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$rundir/$daemon.pid"
}

# host_down NAME: stops what runs in the host (by pid file, then by namespace), drops its
# namespaces and files. Safe to repeat.
host_down() {
  local host=$1 hd="$HOSTS_DIR/$1" inner pid
  stop_daemon "$hd/run" ovs-vswitchd
  stop_daemon "$hd/run" ovsdb-server
  if [[ -e "$NSDIR/$host.mnt" ]] && netns_exists "lab-$host"; then
    # Processes left in the host's own namespaces (listeners of a demo) pin them: end those.
    for inner in $(on_host "$host" ip netns list 2>/dev/null | awk '{print $1}'); do
      for pid in $(on_host "$host" ip netns pids "$inner" 2>/dev/null); do
        kill -9 "$pid" 2>/dev/null || true
      done
    done
  fi
  if netns_exists "lab-$host"; then
    for pid in $(ip netns pids "lab-$host" 2>/dev/null); do
      kill -9 "$pid" 2>/dev/null || true
    done
  fi
  local f
  for f in "$NSDIR/$host.mnt" "$NSDIR/$host.uts"; do
    if [[ -e $f ]]; then
      umount "$f" 2>/dev/null || umount -l "$f" 2>/dev/null || true
      rm -f "$f"
    fi
  done
  if netns_exists "lab-$host"; then
    ip netns del "lab-$host"
  fi
  rm -rf "$hd"
}

# Removes the lab's directory and what it created outside it, once no host is left.
lab_dir_down() {
  if [[ -d $HOSTS_DIR ]] && [[ -n $(ls -A "$HOSTS_DIR") ]]; then
    return 0
  fi
  if mountpoint -q "$NSDIR" 2>/dev/null; then
    umount "$NSDIR" 2>/dev/null || umount -l "$NSDIR"
  fi
  local dir
  # Removing a directory that is a mount point in another host's mount namespace would detach
  # that mount there: keep the shared mount points while any lab host (of any lab) is up.
  if [[ -f "$LABNET_DIR/created-dirs" ]] && ! netns_names | grep -q '^lab-'; then
    while read -r dir; do
      if [[ $dir == /run/netns ]]; then
        # ip netns made it a mount point; drop it only when no namespace is left in it.
        [[ -z $(ls -A /run/netns 2>/dev/null) ]] || continue
        if mountpoint -q /run/netns; then umount /run/netns 2>/dev/null || true; fi
      fi
      rmdir "$dir" 2>/dev/null || true
    done <"$LABNET_DIR/created-dirs"
  fi
  rm -rf "$LABNET_DIR"
}

# The name of a host's VXLAN port to a peer, as Neutron names it: vxlan-<peer IP in hex>.
vxlan_port() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  printf 'vxlan-%02x%02x%02x%02x' "$a" "$b" "$c" "$d"
}
