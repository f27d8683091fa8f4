#!/bin/bash
# Assembles, in TC, the toolchain that compiles the host agent ahead of time (a native image)
# without a GraalVM distribution: SubstrateVM's builder from Maven Central run on the Temurin 25
# JDK, the JDK's static libraries built from OpenJDK's source (Debian's archive), the C helpers
# SubstrateVM links into an image built from stand-ins (chelpers/). About 10 minutes on 2 cores.
# Experimental: see ../README.md for what it bypasses.
# usage: setup.sh   (as root; TC=/tmp/native BOOT_JDK=/usr/lib/jvm/temurin-25-jdk-amd64 OPENJDK_SRC=URL)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TC=${TC:-/tmp/native}
BOOT=${BOOT_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
SVM_VERSION=25.0.4
# The OpenJDK 25 sources Debian lists are not on its mirror; 26's native libraries link under 25's classes.
OPENJDK_SRC=${OPENJDK_SRC:-http://deb.debian.org/debian/pool/main/o/openjdk-26/openjdk-26_26.0.2.1%2B1.orig.tar.xz}
mkdir -p "$TC"

echo "== packages OpenJDK's configure asks for"
# A fresh machine's package lists may be missing or stale.
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq autoconf m4 zip unzip file gcc g++ make zlib1g-dev \
  libasound2-dev libcups2-dev libfontconfig1-dev libfreetype-dev libx11-dev libxext-dev libxrender-dev \
  libxrandr-dev libxtst-dev libxt-dev libxi-dev libpcsclite-dev >/dev/null

echo "== SubstrateVM $SVM_VERSION from Maven Central"
mvn -B -q -f "$HERE/resolve-pom.xml" -Dg.version="$SVM_VERSION" dependency:copy-dependencies -DoutputDirectory="$TC/svm"
mvn -B -q dependency:get -Dartifact="org.graalvm.nativeimage:svm:$SVM_VERSION:jar:sources" -Dtransitive=false
SVM_SOURCES=$HOME/.m2/repository/org/graalvm/nativeimage/svm/$SVM_VERSION/svm-$SVM_VERSION-sources.jar

echo "== the JDK's static libraries from OpenJDK's source"
mkdir -p "$TC/ojdk"
[ -f "$TC/ojdk/src.tar.xz" ] || curl -fsSL -o "$TC/ojdk/src.tar.xz" "$OPENJDK_SRC"
rm -rf "$TC/ojdk/src" && mkdir -p "$TC/ojdk/src"
tar -xJf "$TC/ojdk/src.tar.xz" -C "$TC/ojdk/src" --strip-components=1
(cd "$TC/ojdk/src" && bash configure --with-boot-jdk="$BOOT" --disable-warnings-as-errors \
  --with-native-debug-symbols=none --with-jvm-variants=server --with-version-pre= --with-version-opt= \
  --with-jobs="$(nproc)" >"$TC/ojdk/configure.log")
# -k: smartcardio (winscard.h) and splashscreen (gif_lib.h) do not build against Debian's headers;
# an image needs neither.
(cd "$TC/ojdk/src" && nice -n 19 make -k static-libs >"$TC/ojdk/make.log" 2>&1) || true

echo "== a copy of the JDK with them"
rm -rf "$TC/jdk" && cp -a "$BOOT" "$TC/jdk"
mkdir -p "$TC/jdk/lib/static/linux-amd64/glibc" "$TC/jdk/lib/svm/builder/lib"
find "$TC/ojdk/src/build" -name '*.a' -path '*/static/*' -exec cp {} "$TC/jdk/lib/static/linux-amd64/glibc/" \;
for lib in java net nio zip jimage; do
  test -f "$TC/jdk/lib/static/linux-amd64/glibc/lib$lib.a" || { echo "lib$lib.a was not built: see $TC/ojdk/make.log" >&2; exit 1; }
done

echo "== SubstrateVM's C helpers (stand-ins) and the builder's opens"
"$HERE/chelpers/build.sh" "$BOOT" "$SVM_SOURCES" "$TC/chelpers"
cp "$TC/chelpers/libreporterchelper.so" "$TC/jdk/lib/svm/builder/lib/"
"$HERE/gen-opens.sh" "$BOOT" >"$TC/opens.args"
echo "toolchain ready in $TC"
