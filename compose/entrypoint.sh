#!/bin/sh
# Starts a service jar with the JVM options Hazelcast needs on Java 17. The cluster address
# defaults to this container's own address, so that members find each other by service name.
set -eu
if [ -z "${DVR_CLUSTER_HOST:-}" ]; then
  DVR_CLUSTER_HOST=$(hostname -i | awk '{print $1}')
  export DVR_CLUSTER_HOST
fi
exec java ${JAVA_OPTS:-} \
  --add-modules java.se \
  --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-opens java.base/java.lang=ALL-UNNAMED \
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens java.management/sun.management=ALL-UNNAMED \
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
  -Dhazelcast.phone.home.enabled=false \
  -jar /app/service.jar "$@"
