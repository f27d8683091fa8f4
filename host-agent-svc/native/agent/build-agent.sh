#!/bin/bash
# Compiles the relay-attached host agent ahead of time into one executable, with the toolchain
# ../toolchain/setup.sh assembled in TC (default /tmp/native). See ../README.md.
# usage: build-agent.sh host-agent-svc/target/host-agent-svc-*-relayed.jar   -> out/host-agent (and out/build.log)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS=$HERE/../toolchain
JAR=$(realpath "${1:?usage: build-agent.sh AGENT_RELAYED_JAR}")
export TC=${TC:-/tmp/native}
SVMCP=$(ls "$TC"/svm/*.jar | tr '\n' :)
# 1. the build-time feature and the substitution (Netty's logger, Netty's foreign malloc/free)
rm -rf "$HERE/subst/classes"; mkdir -p "$HERE/subst/classes"
"$TC/jdk/bin/javac" -nowarn -d "$HERE/subst/classes" -cp "$SVMCP$JAR" $(find "$HERE/subst/src" -name '*.java')
# 2. reflection metadata of the generated protobuf classes (config/reflect-config.json)
mkdir -p "$HERE/config"
python3 "$HERE/gen-reflect.py" "$JAR" "$HERE/config/reflect-config.json"
# 3. the libraries' own META-INF/native-image options and configurations, then ours (options.args)
mapfile -t LIBARGS < <(python3 "$TOOLS/metainf-args.py" "$JAR")
mapfile -t OURARGS < <(grep -v -e '^#' -e '^[[:space:]]*$' "$HERE/options.args")
mkdir -p "$HERE/out"
"$TOOLS/native-image.sh" "$JAR:$HERE/subst/classes" io.dvr.agent.Main "$HERE/out" host-agent \
  "${LIBARGS[@]}" -H:ConfigurationFileDirectories="$HERE/config,$HERE/config-manual" "${OURARGS[@]}" \
  2>&1 | tee "$HERE/out/build.log"
test -x "$HERE/out/host-agent"
