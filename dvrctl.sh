#!/bin/sh
# Runs the dvrctl client; build it first with: mvn -B -DskipTests package
here=$(cd "$(dirname "$0")" && pwd)
exec java -jar "$(ls "$here"/dvrctl/target/dvrctl-*-all.jar | head -1)" "$@"
