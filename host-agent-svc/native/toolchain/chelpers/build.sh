#!/bin/bash
# Builds the C stand-ins SubstrateVM links into an image (Maven Central serves its Java parts
# only): headers generated from the svm sources jar's declarations, then lib/*.a and
# libreporterchelper.so. usage: build.sh JDK SVM_SOURCES_JAR OUT_DIR
set -euo pipefail
JDK=${1:?usage: build.sh JDK SVM_SOURCES_JAR OUT_DIR}; SRCJAR=${2:?}; OUT=${3:?}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT/lib/include"
unzip -q -o "$SRCJAR" -d "$WORK" 'com/oracle/svm/core/amd64/AMD64LibCHelper.java' \
  'com/oracle/svm/core/aarch64/AArch64LibCHelper.java' 'com/oracle/svm/core/riscv64/RISCV64LibCHelper.java' \
  'com/oracle/svm/core/c/locale/LocaleCHelper.java'
python3 "$HERE/genhdr.py" "$WORK/com/oracle/svm/core/amd64/AMD64LibCHelper.java" "$OUT/lib/include/amd64cpufeatures.h" AMD64CPUF
python3 "$HERE/genhdr.py" "$WORK/com/oracle/svm/core/aarch64/AArch64LibCHelper.java" "$OUT/lib/include/aarch64cpufeatures.h" AARCH64CPUF
python3 "$HERE/genhdr.py" "$WORK/com/oracle/svm/core/riscv64/RISCV64LibCHelper.java" "$OUT/lib/include/riscv64cpufeatures.h" RISCVCPUF
python3 "$HERE/genhdr.py" "$WORK/com/oracle/svm/core/c/locale/LocaleCHelper.java" "$OUT/lib/include/svm_locale.h" SVMLOCALE
CFLAGS=(-O2 -fPIC -I"$JDK/include" -I"$JDK/include/linux" -I"$OUT/lib")
for pair in libchelper:liblibchelper jvm:libjvm svm_container:libsvm_container; do
  src=${pair%%:*}; lib=${pair##*:}
  gcc "${CFLAGS[@]}" -c "$HERE/$src.c" -o "$WORK/$src.o"
  ar rcs "$OUT/lib/$lib.a" "$WORK/$src.o"
done
gcc -O2 -shared -fPIC -I"$JDK/include" -I"$JDK/include/linux" -o "$OUT/libreporterchelper.so" "$HERE/reporterchelper.c"
