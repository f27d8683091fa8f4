#!/bin/bash
# Prints the builder's --add-opens: every package of the JDK's java.* and jdk.* modules opened to
# the SubstrateVM builder's modules (what the native-image launcher would pass it); the modules left
# out are not in the builder's boot layer (the JVM warns of each).
# usage: gen-opens.sh JDK > opens.args
set -euo pipefail
JDK=${1:?usage: gen-opens.sh JDK}
TO=org.graalvm.nativeimage.builder,org.graalvm.nativeimage.pointsto,org.graalvm.nativeimage.base,org.graalvm.nativeimage.objectfile,jdk.graal.compiler,org.graalvm.nativeimage.configure,org.graalvm.nativeimage.libgraal,org.graalvm.truffle.compiler,org.graalvm.espresso.shared.svm,ALL-UNNAMED
for m in $("$JDK/bin/java" --list-modules | sed 's/@.*//' | grep -E '^(java|jdk)\.' | grep -v -x -e jdk.hotspot.agent -e jdk.jcmd -e jdk.incubator.vector); do
  "$JDK/bin/java" --describe-module "$m" | awk '$1 == "exports" || $1 == "contains" || $1 == "opens" {print $2} $1 == "qualified" {print $3}' | sort -u |
    while read -r p; do echo "--add-opens=$m/$p=$TO"; done
done
