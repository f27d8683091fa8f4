# shellcheck shell=bash
# compose/ci/lib.sh: the functions of compose/ci-run.sh (sourced by it, after it has set ROOT,
# STATE, RUNDIR, PROJECT, REPORT, SECURITY and the CONTAINERS_*/DOCKER_HOST variables): podman as a Docker
# engine, waiting with time limits, the containers of the project, VMs in the agents' containers,
# TCP and ping checks with the host's tools in their network namespaces.

# ---- the engine ----------------------------------------------------------------------------

install_needs() {
  local need=()
  command -v podman >/dev/null || need+=(podman)
  command -v runc >/dev/null || need+=(runc)
  command -v debootstrap >/dev/null || need+=(debootstrap)
  command -v docker-compose >/dev/null || need+=(docker-compose)
  command -v nc >/dev/null || need+=(netcat-openbsd)
  command -v nsenter >/dev/null || need+=(util-linux)
  command -v ping >/dev/null || need+=(iputils-ping)
  if ((${#need[@]})); then
    log "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

# Podman's own configuration for this run: its storage under STATE, default ulimits below the
# hard limits (its defaults exceed them, and raising needs CAP_SYS_RESOURCE, which is absent here),
# and runc: podman prefers crun where both are installed, and crun refuses these machines' hybrid
# cgroups ("cgroups in hybrid mode not supported").
configure_podman() {
  mkdir -p "$STATE/conf" "$RUNDIR"
  local nofile nproc
  nofile=$(ulimit -Hn); [[ $nofile == unlimited ]] && nofile=1048576
  nproc=$(ulimit -Hu); [[ $nproc == unlimited ]] && nproc=1048576
  nofile=$((nofile / 2 < 65536 ? nofile / 2 : 65536))
  nproc=$((nproc / 2 < 16384 ? nproc / 2 : 16384))
  cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[network]
network_config_dir = "$STATE/networks"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "overlay"
graphroot = "$STATE/storage"
runroot = "$RUNDIR/storage"
EOF
}

start_service() {
  rm -f "$RUNDIR/podman.sock"
  podman system service --time=0 "$DOCKER_HOST" >"$RUNDIR/service.log" 2>&1 &
  SERVICE_PID=$!
  echo "$SERVICE_PID" >"$RUNDIR/service.pid"
  await "podman's socket" 30 test -S "$RUNDIR/podman.sock"
}

# Without systemd podman runs no health checks by itself; compose's `condition: service_healthy`
# reads the status they set. This loop runs `podman healthcheck run` on the project's containers
# that have one, every 2 s, for as long as the run lasts.
start_health_pump() {
  (
    while true; do
      podman ps --filter "label=com.docker.compose.project=$PROJECT" --format '{{.ID}} {{.Status}}' 2>/dev/null \
        | awk '/\((healthy|unhealthy|starting)\)/ {print $1}' | while read -r id; do
          timeout 10 podman healthcheck run "$id" </dev/null >/dev/null 2>&1 || true
        done
      sleep 2
    done
  ) &
  PUMP_PID=$!
  echo "$PUMP_PID" >"$RUNDIR/pump.pid"
}

stop_pid_file() {
  local file=$1 pid
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# Everything of the project goes: containers, networks, volumes; then the pump and the service.
# Also what a killed earlier run left (the same project name, the pid files).
teardown() {
  if [[ -S $RUNDIR/podman.sock ]]; then
    compose down -v --remove-orphans -t 5 >/dev/null 2>&1 || true
  fi
  stop_pid_file "$RUNDIR/pump.pid"
  local ids
  ids=$(podman ps -aq --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null || true)
  [[ -z $ids ]] || podman rm -f -t 0 $ids >/dev/null 2>&1 || true
  podman network ls -q --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null | xargs -r podman network rm -f >/dev/null 2>&1 || true
  podman volume ls -q --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  stop_pid_file "$RUNDIR/service.pid"
  rm -f "$RUNDIR/podman.sock"
  rm -rf "$SECURITY"
  netavark_leftovers
  # Images replaced by this run's builds; the tagged ones and their layers stay as the cache.
  podman image prune -f >/dev/null 2>&1 || true
}

# Netavark 1.4 leaves firewall rules of removed networks behind (isolation rules naming bridges
# that are gone, empty port-forward chains). Once no podman bridge is left, its chains go too;
# it makes them again for the next network.
netavark_leftovers() {
  ls /sys/class/net | grep -q '^podman' && return 0
  local table chain rule
  for table in filter nat; do
    iptables -t "$table" -S 2>/dev/null | { grep -E '^-A .*(NETAVARK|netavark)' || true; } | while read -r rule; do
      # iptables -S quotes what it prints (comments): eval reads it back the same.
      eval "iptables -t $table ${rule/-A/-D}" 2>/dev/null || true
    done
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^NETAVARK/ {print $2}'); do
      iptables -t "$table" -F "$chain" 2>/dev/null || true
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}

on_exit() {
  local rc=$?
  if ((rc != 0)); then
    log "run failed (exit $rc); the last lines of each container's log:" >&2
    for s in security-init api-gateway scheduler-svc relay1 relay2 network compute1 compute2 prometheus; do
      echo "---- $s" >&2
      compose logs --no-color --tail 15 "$s" 2>/dev/null | tail -15 >&2 || true
    done
  fi
  log "tearing down"
  teardown
  local left
  left=$(podman ps -aq --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null | wc -l)
  left=$((left + $(podman network ls -q --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null | wc -l)))
  if ((left > 0)); then
    log "WARNING: $left containers or networks of $PROJECT are left" >&2
  fi
  exit "$rc"
}

# ---- waiting, containers, namespaces ---------------------------------------------------------

# await WHAT SECONDS CMD...: runs CMD until it succeeds, at most SECONDS; fails naming WHAT and the
# last output.
await() {
  local what=$1 limit=$2 deadline out
  shift 2
  deadline=$(($(date +%s) + limit))
  while true; do
    if out=$("$@" 2>&1); then
      return 0
    fi
    if (($(date +%s) >= deadline)); then
      die "$what: not within ${limit} s; last: $(tail -c 600 <<<"$out")"
    fi
    sleep 0.5
  done
}

# The container of a service (instance N, default 1), by the labels both compose versions set.
cid() {
  podman ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1" \
    --filter "label=com.docker.compose.container-number=${2:-1}" | head -n 1
}
pid_of() { podman inspect -f '{{.State.Pid}}' "$1"; }
on_host() {
  local host=$1
  shift
  timeout 60 podman exec "$(cid "$host")" "$@"
}
# A command with the host's tools inside a VM's network namespace: the VM is a namespace on the
# agent container's own /run/netns, reached through the container's root.
in_vm() {
  local host=$1 vm=$2
  shift 2
  nsenter --net="/proc/$(pid_of "$(cid "$host")")/root/run/netns/$vm" "$@"
}
in_outside() { nsenter -t "$(pid_of "$(cid outside)")" -n "$@"; }

# A client JVM per call: start it for a short life. TLS verified against the deployment's CA,
# as its admin (the files security-init gives the client).
dvrctl_raw() { timeout 60 java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -jar "$DVRCTL_JAR" --server "$API" "$@"; }
dvrctl() { dvrctl_raw --ca "$SECURITY/client/ca.pem" --token-file "$SECURITY/client/admin.token" "$@"; }

# The deployment runs secure, not quietly insecure: a plaintext client is refused, a call without
# a token is UNAUTHENTICATED, no process warns of insecure mode, and each container holds only the
# files it needs (no agent gets the CA key, the signing key or the host credential secret).
security_checks() {
  local out empty
  if out=$(dvrctl_raw --insecure agent-list 2>&1); then
    die "a plaintext client was served: the deployment runs without TLS; it said: $out"
  fi
  ok "a plaintext client is refused ($(tail -n 1 <<<"$out" | cut -c1-120))"
  empty=$(mktemp -d)
  # No token anywhere dvrctl looks: an empty security directory, no DVRCTL_TOKEN.
  if out=$(unset DVRCTL_TOKEN; export DVR_SECURITY_DIR=$empty; dvrctl_raw --ca "$SECURITY/client/ca.pem" agent-list 2>&1); then
    rm -rf "$empty"
    die "a call without a token was served: authentication is off; it said: $out"
  fi
  rm -rf "$empty"
  grep -q UNAUTHENTICATED <<<"$out" || die "a call without a token: expected UNAUTHENTICATED, got: $out"
  ok "a call without a token is UNAUTHENTICATED"
  # Not `| grep -q`: under pipefail a match that ends grep early fails the pipeline, and this check with it.
  if [[ $(compose logs --no-color 2>/dev/null) == *INSECURE* ]]; then
    die "a process runs insecure: $(compose logs --no-color 2>/dev/null | grep -m 1 INSECURE)"
  fi
  local c files want
  for c in network compute1 compute2; do
    files=$(on_host "$c" ls -A /etc/dvr/security | sort | tr '\n' ' ')
    want=$(printf '%s\n' ca.pem "host-$c.credential" "host-$c.p12" keystore.password truststore.p12 | sort | tr '\n' ' ')
    [[ $files == "$want" ]] || die "$c holds '$files' in /etc/dvr/security, expected only '$want'"
  done
  files=$(on_host api-gateway sh -c 'cd /etc/dvr/security && stat -c "%a %u %n" api-gateway.p12 admin.token jwt-signing.pem')
  [[ $(awk '$1 != 600 || $2 != 10001' <<<"$files") == "" ]] || die "api-gateway's files are not 0600 of uid 10001: $files"
  on_host arp-svc test ! -e /etc/dvr/security/jwt-signing.pem -a ! -e /etc/dvr/security/host-credentials.key \
    || die "arp-svc holds the signing key or the host credential secret"
  ok "each container holds only its own keys (agents: their host's key store and credential; files 0600)"
}

# The Neutron REST face answers on its published port over TLS: the router the gRPC API made, in
# Neutron's JSON, with the admin token; 401 without a token.
rest_checks() {
  local url="https://127.0.0.1:$REST_PORT/v2.0/routers?name=dvr-r1" out code
  out=$(curl -fsS --max-time 10 --cacert "$SECURITY/client/ca.pem" \
    -H "X-Auth-Token: $(cat "$SECURITY/client/admin.token")" "$url") || die "REST GET /v2.0/routers failed"
  python3 -c 'import json, sys
routers = json.load(sys.stdin)["routers"]
assert len(routers) == 1 and routers[0]["distributed"] is True, routers
gw = routers[0]["external_gateway_info"]["external_fixed_ips"]
assert any(ip["ip_address"] == "192.168.1.115" for ip in gw), gw' <<<"$out" || die "REST router dvr-r1 is not as made: $out"
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$SECURITY/client/ca.pem" "$url")
  [[ $code == 401 ]] || die "REST without a token: expected 401, got $code"
  ok "the Neutron REST face shows dvr-r1 (distributed, gateway 192.168.1.115) over TLS; 401 without a token"
}

# Prometheus scrapes every service, relay and host agent over TLS (nine targets, all up), and every
# series the Grafana dashboard queries is among what it scraped (compose/ci/check-dashboard.py).
prometheus_api() { curl -fsS --max-time 5 "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/$1"; }
targets_up() {
  prometheus_api targets | python3 -c 'import json, sys
targets = json.load(sys.stdin)["data"]["activeTargets"]
bad = [t["scrapeUrl"] + ": " + t["health"] + " " + t.get("lastError", "") for t in targets if t["health"] != "up"]
print("\n".join(bad) or "%d targets up" % len(targets))
sys.exit(1 if bad or len(targets) < 9 else 0)'
}
dashboard_scraped() {
  prometheus_api label/__name__/values >"$RUNDIR/metric-names.json" && python3 "$ROOT/compose/ci/check-dashboard.py" --live "$RUNDIR/metric-names.json"
}
metrics_checks() {
  await "Prometheus scraping every service, relay and agent over TLS" 90 targets_up
  ok "Prometheus: $(targets_up)"
  await "every series of the Grafana dashboard scraped" 60 dashboard_scraped
  ok "$(dashboard_scraped)"
}

# vm HOST NAME PORT: a VM for a port, as labnet/vm.sh makes one: namespace NAME on the host,
# eth0 (the port's MAC and address, MTU 1450, checksum offload off) paired with v-NAME on br-int,
# the port's id as external_ids:iface-id, so the agent wires it.
vm() {
  local host=$1 name=$2 port=$3 mac ip id gw
  read -r mac ip id < <(dvrctl --json port-show "$port" | python3 -c 'import json, sys
p = json.load(sys.stdin)
print(p["mac_address"], p["fixed_ips"][0]["ip_address"], p["id"])')
  gw="${ip%.*}.1"
  on_host "$host" sh -euc "
    ip link del v-$name 2>/dev/null || true
    ip netns del $name 2>/dev/null || true
    ip netns add $name
    ip link add v-$name type veth peer name eth0 netns $name
    ip -n $name link set lo up
    ip -n $name link set eth0 address $mac mtu 1450 up
    ip -n $name addr add $ip/24 dev eth0
    ip -n $name route add default via $gw
    ip netns exec $name ethtool -K eth0 tx off >/dev/null
    ip link set v-$name mtu 1450 up
    ovs-vsctl --may-exist add-port br-int v-$name -- set Interface v-$name \
      external_ids:attached-mac=\"$mac\" external_ids:iface-id=$id"
  VM_IP[$name]=$ip
  VM_HOST[$name]=$host
}

declare -A VM_IP VM_HOST
ping_vm() { in_vm "${VM_HOST[$1]}" "$1" ping -n -c 1 -W 1 "$2"; }
ttl_of() { sed -n 's/.*ttl=\([0-9]*\).*/\1/p' | head -n 1; }

# tcp LISTEN_AT LISTEN_IP CLIENT_AT DST: one TCP exchange; prints the peer the listener saw.
# LISTEN_AT/CLIENT_AT: "outside" or "vm:NAME".
run_at() {
  local at=$1
  shift
  case $at in
    outside) in_outside "$@" ;;
    vm:*) in_vm "${VM_HOST[${at#vm:}]}" "${at#vm:}" "$@" ;;
  esac
}
TCP_PORT=47000
tcp_once() {
  local lat=$1 lip=$2 cat=$3 dst=$4 port out err
  TCP_PORT=$((TCP_PORT + 1))
  port=$TCP_PORT
  out=$(mktemp) err=$(mktemp)
  run_at "$lat" nc -l -v -n -w 5 "$lip" "$port" <<<"hello-from-server" >"$out" 2>"$err" &
  local lpid=$! i
  for i in $(seq 50); do grep -q "Listening on" "$err" && break; sleep 0.1; done
  local reply
  reply=$(run_at "$cat" sh -c "echo hello-from-client | nc -n -w 3 -N $dst $port" 2>/dev/null || true)
  wait "$lpid" 2>/dev/null || true
  local peer
  peer=$(sed -n 's/.*Connection received on \([0-9.]*\) .*/\1/p' "$err" | head -n 1)
  if [[ $reply == *hello-from-server* ]] && grep -q hello-from-client "$out" && [[ -n $peer ]]; then
    rm -f "$out" "$err"
    echo "$peer"
    return 0
  fi
  rm -f "$out" "$err"
  return 1
}
# tcp_expect WHAT EXPECTED_PEER LISTEN_AT LISTEN_IP CLIENT_AT DST
tcp_expect() {
  local what=$1 want=$2
  shift 2
  local deadline=$(($(date +%s) + 60)) peer=""
  while (($(date +%s) < deadline)); do
    if peer=$(tcp_once "$@") && [[ $peer == "$want" ]]; then
      log "ok: $what (the listener saw $peer)"
      return 0
    fi
  done
  die "$what: expected the listener to see $want, saw '${peer}'"
}
ok() { log "ok: $*"; }

agents_alive() {
  local list
  list=$(dvrctl agent-list 2>&1) || { echo "$list"; return 1; }
  for h in network compute1 compute2; do
    grep -E "\| $h +\|" <<<"$list" | grep -q ':-)' || { echo "$list"; return 1; }
  done
}
port_active() { dvrctl port-show "$1" | grep -Eq 'status +\| ACTIVE'; }

# The relay an agent is attached to now: the last "attached to relay NAME" of its log (relays
# are named by DVR_RELAY_NAME).
relay_of() {
  agent_log "$1" | sed -n 's/.*attached to relay \([^ ]*\) (.*/\1/p' | tail -n 1
}
# An agent container's log, through podman itself: a docker-compose client per call takes seconds,
# and the relay checks read three logs per attempt.
agent_log() { timeout 60 podman logs "$(cid "$1")" 2>&1; }
# How many agents a running relay counts as attached (its dvr_relay_agents_attached gauge).
relay_attached() {
  on_host "$1" curl -fsS --max-time 5 --cacert /etc/dvr/security/ca.pem https://127.0.0.1:9097/metrics \
    | awk '/^dvr_relay_agents_attached[ {]/ {print int($NF)}'
}
# relays_carry RELAY "HOSTS" [RELAY "HOSTS"]...: each agent of HOSTS is attached to RELAY, by its
# own log and by the relay's count.
relays_carry() {
  local relay hosts h n
  while (($#)); do
    relay=$1 hosts=$2
    shift 2
    for h in $hosts; do
      [[ $(relay_of "$h") == "$relay" ]] || { echo "$h: on '$(relay_of "$h")', not $relay"; return 1; }
    done
    n=$(relay_attached "$relay") || return 1
    [[ $n == $(wc -w <<<"$hosts") ]] || { echo "$relay counts $n agents, expected $hosts"; return 1; }
  done
}
relays_now() {
  local h
  for h in network compute1 compute2; do printf '%s on %s; ' "$h" "$(relay_of "$h")"; done
}
# No agent holds a Hazelcast socket (5701 and up): none joined the cluster; each holds one
# established connection to a relay's port.
agents_off_cluster() {
  local h socks
  for h in network compute1 compute2; do
    socks=$(on_host "$h" ss -Htan) || return 1
    if awk '$4 ~ /:57[0-9][0-9]$/ || $5 ~ /:57[0-9][0-9]$/' <<<"$socks" | grep -q .; then
      echo "$h holds a Hazelcast socket: it is a cluster member; $socks"
      return 1
    fi
    [[ $(awk '$1 == "ESTAB" && $5 ~ /:9097$/' <<<"$socks" | wc -l) -eq 1 ]] \
      || { echo "$h: expected one connection to a relay (port 9097); its sockets: $socks"; return 1; }
  done
}

# Memory of a container: the proportional set size (PSS) of every process in its PID namespace,
# in MiB; shared pages (PostgreSQL's shared buffers, the libraries) count once, split among the
# processes sharing them.
pss_mib() {
  local pid ns total=0 p
  pid=$(pid_of "$1")
  ns=$(readlink "/proc/$pid/ns/pid")
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/ns/pid" 2>/dev/null) == "$ns" ]] || continue
    total=$((total + $(awk '/^Pss:/ {print $2}' "$p/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo $((total / 1024))
}

