#!/bin/bash
# Compiles the relay-attached host agent ahead of time into one executable, with the toolchain
# ../toolchain/setup.sh assembled in TC (default /tmp/native). See ../README.md.
# usage: build-agent.sh host-agent-svc/target/host-agent-svc-*-relayed.jar [OUT_DIR]   -> OUT_DIR/host-agent (and build.log)
#   OUT_DIR (or NATIVE_OUT): default out/ here; give another to keep two builds side by side
#   NATIVE_OPTIMIZE: the builder's -H:Optimize level, s (default), 2, 1 or b
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS=$HERE/../toolchain
JAR=$(realpath "${1:?usage: build-agent.sh AGENT_RELAYED_JAR}")
export TC=${TC:-/tmp/native}
# size: optimise for size (-Os) by default; 2 (-O2) trades size for speed, b (quick build) for build time.
# Set here, not in options.args, so a build can choose it; checked now rather than minutes into a build.
OPTIMIZE=${NATIVE_OPTIMIZE:-s}
case "$OPTIMIZE" in
  s|2|1|b) ;;
  *) echo "NATIVE_OPTIMIZE=$OPTIMIZE: expected s, 2, 1 or b" >&2; exit 2 ;;
esac
OUT=${2:-${NATIVE_OUT:-$HERE/out}}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
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
# the optimisation level last: it wins over any -H:Optimize left in options.args
"$TOOLS/native-image.sh" "$JAR:$HERE/subst/classes" io.dvr.agent.Main "$OUT" host-agent \
  "${LIBARGS[@]}" -H:ConfigurationFileDirectories="$HERE/config,$HERE/config-manual" "${OURARGS[@]}" \
  -H:Optimize="$OPTIMIZE" 2>&1 | tee "$OUT/build.log"
test -x "$OUT/host-agent"
