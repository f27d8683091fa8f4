#!/bin/bash
# The container's health: GET /healthz on the service's own port answers 200 (503 while it cannot
# serve, e.g. without its database). Over TLS, verified against the deployment's CA (ca.pem in
# DVR_SECURITY_DIR; certificates name 127.0.0.1); in insecure mode (DVR_INSECURE=true) plaintext
# through bash's /dev/tcp.
port=${DVR_HEALTH_PORT:?}
if [[ ${DVR_INSECURE,,} != true ]]; then
  exec curl -fsS -o /dev/null --max-time 2 --cacert "${DVR_SECURITY_DIR:-/etc/dvr/security}/ca.pem" \
    "https://127.0.0.1:$port/healthz"
fi
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS= read -r -t 2 status <&3 || exit 1
[[ $status == "HTTP/1."?" 200"* ]]
