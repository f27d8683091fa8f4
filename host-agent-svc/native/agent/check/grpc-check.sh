#!/bin/bash
# Run while a RelayAgentFootprintBench run (with --idle-seconds >= 20) is in its idle phase:
# finds the running agent (process name $1, default host-agent; for the JVM agent pass java),
# then over mTLS (the bench's CA and the host-fp1.p12 client credential): gRPC health Check,
# server reflection list_services and file_containing_symbol, the health Check in JSON
# (application/grpc+json, and a JSON message that is not the request type), and GET /metrics.
pat=${1:-host-agent}; D=$(cd "$(dirname "$0")" && pwd)
for i in $(seq 1 120); do sleep 1
  AP=$(for p in $(pgrep -x $pat); do tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep -q ^DVR_HOST_NAME= && echo $p; done | head -1)
  [ -n "$AP" ] && break; done
sleep 6
S=$(tr '\0' '\n' < /proc/$AP/environ | grep DVR_SECURITY_DIR | cut -d= -f2)
L=$(ls -td /tmp/relay-footprint-*/*-1 | head -1)
P=$(grep -ho 'reflection on 127.0.0.1:[0-9]*' $L/agent-fp1.log | grep -o '[0-9]*$')
echo "agent pid=$AP port=$P security=$S"
C=(--cacert $S/ca.pem --cert-type P12 --cert $S/host-fp1.p12:$(cat $S/keystore.password))
for f in health-check reflection-list reflection-file; do
  path=$([ $f = health-check ] && echo grpc.health.v1.Health/Check || echo grpc.reflection.v1.ServerReflection/ServerReflectionInfo)
  echo "== $f"
  curl -sS --http2 "${C[@]}" -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @$D/$f.grpc \
    https://127.0.0.1:$P/$path -o $D/$f.$pat.out -D - 2>&1 | tr -d '\r' | grep -E 'HTTP|grpc-'
  xxd $D/$f.$pat.out | head -2
done
# gRPC with JSON messages: served, and JSON that is not the request type refused naming the field
for f in health-check-json health-check-json-bad; do
  echo "== $f"
  curl -sS --http2 "${C[@]}" -H 'content-type: application/grpc+json' -H 'te: trailers' --data-binary @$D/$f.grpc \
    https://127.0.0.1:$P/grpc.health.v1.Health/Check -o $D/$f.$pat.out -D - 2>&1 | tr -d '\r' | grep -E 'HTTP|grpc-'
  tail -c +6 $D/$f.$pat.out; echo
done
curl -sS "${C[@]}" https://127.0.0.1:$P/metrics -o $D/metrics.$pat.txt -w 'GET /metrics -> %{http_code}\n'
