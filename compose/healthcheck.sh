#!/bin/bash
# The container's health: GET /healthz on the service's own port answers 200 (503 while it cannot
# serve, e.g. without its database). bash's /dev/tcp: the images carry no HTTP client.
exec 3<>"/dev/tcp/127.0.0.1/${DVR_HEALTH_PORT:?}" || exit 1
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS= read -r -t 2 status <&3 || exit 1
[[ $status == "HTTP/1."?" 200"* ]]
