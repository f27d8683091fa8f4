#!/bin/bash
# The one-shot `security-init` service of docker-compose.yml (root, in the api-gateway image), run
# on every `up` before the services: makes the deployment's security material once and deals each
# container only its own files. Everything lives in the directory mounted at /security
# (DVR_COMPOSE_SECURITY_DIR, default compose/security):
#   ca/            the whole material (CA key, host credential secret, signing key): only this
#                  service mounts it; `dvr-lab.jar mint` and `init-security` issue more from it
#   api-gateway/   its key store, truststore, password, CA, host credential secret, signing key, admin.token
#   scheduler-svc/ its key store, truststore, password, CA, host credential secret
#   mac-allocator-svc/, arp-svc/   their key store, truststore, password, CA
#   relay-svc/     its key store (valid for each name of DVR_SECURITY_RELAYS), truststore, password,
#                  CA; every relay mounts it
#   host-<h>/      that host's key store and event-bus credential, truststore, password, CA
#   prometheus/    ca.pem only (to verify what it scrapes)
#   client/        ca.pem and admin.token for dvrctl on this machine (owned by the directory's owner)
# Services run as uid 10001 (DVR_SERVICE_UID) and get their files as that user, host agents
# (root) as root; directories 0700, files 0600. A later run keeps the material (a good admin
# token included) and replaces files in place, so running containers keep their mounts.
set -euo pipefail
OUT=${DVR_SECURITY_OUT:-/security}
HOSTS=${DVR_SECURITY_HOSTS:?the host agents to make identities for, e.g. "network compute1 compute2"}
# The names agents reach the relays by (their DVR_AGENT_RELAYS): the agents' TLS checks them.
RELAYS=${DVR_SECURITY_RELAYS:-}
SERVICE_UID=${DVR_SERVICE_UID:-10001}
CA=$OUT/ca
log() { echo "security-init: $*"; }

args=()
for h in $HOSTS; do args+=(--host "$h"); done
for r in $RELAYS; do args+=(--relay "$r"); done
# init-security reads security.dir (and security.alt-names, auth.*) from the environment.
DVR_SECURITY_DIR=$CA java ${JAVA_OPTS:-} -jar /app/service.jar init-security "${args[@]}"

# give NAME UID:GID FILE...: directory NAME holds copies of just these files of ca/, owned by UID:GID.
give() {
  local name=$1 owner=$2 dir=$OUT/$1 f
  shift 2
  install -d -m 0700 -o "${owner%:*}" -g "${owner#*:}" "$dir"
  chown "$owner" "$dir" && chmod 0700 "$dir"
  for f in "$@"; do
    install -m 0600 -o "${owner%:*}" -g "${owner#*:}" "$CA/$f" "$dir/.$f.new"
    mv -f "$dir/.$f.new" "$dir/$f"
  done
  # Nothing else stays there (a file an earlier version gave, a stale copy).
  find "$dir" -mindepth 1 -maxdepth 1 -type f $(printf -- '-not -name %s ' "$@" .lock) -delete
}

tls=(truststore.p12 keystore.password ca.pem)
give api-gateway "$SERVICE_UID:$SERVICE_UID" api-gateway.p12 "${tls[@]}" host-credentials.key jwt-signing.pem admin.token
give scheduler-svc "$SERVICE_UID:$SERVICE_UID" scheduler-svc.p12 "${tls[@]}" host-credentials.key
give mac-allocator-svc "$SERVICE_UID:$SERVICE_UID" mac-allocator-svc.p12 "${tls[@]}"
give arp-svc "$SERVICE_UID:$SERVICE_UID" arp-svc.p12 "${tls[@]}"
give relay-svc "$SERVICE_UID:$SERVICE_UID" relay-svc.p12 "${tls[@]}"
for h in $HOSTS; do
  give "host-$h" 0:0 "host-$h.p12" "host-$h.credential" "${tls[@]}"
done
# Prometheus (the official image's user, nobody) verifies the services with the CA, nothing more.
give prometheus 65534:65534 ca.pem
give client "$(stat -c %u:%g "$OUT")" ca.pem admin.token
log "material in $OUT (each container mounts only its own directory); dvrctl: DVR_SECURITY_DIR=<that directory>/client"
