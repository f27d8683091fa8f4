#!/bin/bash
# Runs SubstrateVM's builder as the native-image launcher would (Maven Central does not serve the
# launcher): the builder's modules on the module path of the toolchain's JDK, with JVMCI.
# usage: native-image.sh CLASSPATH MAIN_CLASS OUT_DIR NAME [builder options...]   (TC: setup.sh's directory)
set -euo pipefail
CP="$1"; MAIN="$2"; OUT="$3"; NAME="$4"; shift 4
TC=${TC:-/tmp/native}
JDK=$TC/jdk
MODULES=$(ls "$TC"/svm/*.jar | grep -v '/compiler-' | tr '\n' :)
COMPILER=$(ls "$TC"/svm/compiler-*.jar)
mkdir -p "$OUT"
# Temurin's JVMCI is older than the one svm 25.0.4 asks for; the builder runs on it all the same.
export JVMCI_VERSION_CHECK=ignore
exec nice -n 19 "$JDK/bin/java" -XX:+UseParallelGC -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI \
  -XX:-UseJVMCICompiler -Xss10m -Xmx8g \
  -Dcom.oracle.graalvm.isaot=true -Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader \
  -Djdk.internal.lambda.disableEagerInitialization=true --enable-native-access=ALL-UNNAMED,org.graalvm.nativeimage.builder \
  -Dsubstratevm.HostLibC=glibc -Dorg.graalvm.nativeimage.imagecode=buildtime \
  @"$TC/opens.args" \
  --upgrade-module-path "$COMPILER" --module-path "$MODULES" --add-modules=ALL-DEFAULT \
  -m org.graalvm.nativeimage.builder/com.oracle.svm.hosted.NativeImageGeneratorRunner \
  -imagecp "$CP" -H:Path="$OUT" -H:Name="$NAME" -H:Class="$MAIN" -H:ImageBuildID="$(cat /proc/sys/kernel/random/uuid)" \
  -H:CLibraryPath="$TC/chelpers/lib" "$@"
