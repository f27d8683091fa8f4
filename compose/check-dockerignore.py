#!/usr/bin/env python3
"""Checks that the build context compose sends holds every service jar and the compose folder,
and nothing else (not the deployment's keys in compose/security/), with docker-py's matcher (the one docker-compose 1.x uses to make the context
for Docker or podman; the classic builder matches the same way). It runs on a tree of empty
stand-in files shaped like a built checkout, so it needs no build. Exit 1 names what is wrong."""
import os
import shutil
import sys
import tempfile

from docker.utils.build import exclude_paths

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICES = ["api-gateway", "scheduler-svc", "mac-allocator-svc", "arp-svc", "relay-svc", "host-agent-svc"]
OTHERS = ["common", "proto", "store", "lab", "dvrctl", "bench", "cluster-it"]


def touch(tree, path):
    full = os.path.join(tree, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    open(full, "w").close()


def main():
    with tempfile.TemporaryDirectory() as tree:
        shutil.copy(os.path.join(ROOT, ".dockerignore"), tree)
        # Not the real keys a deployment made here: stand-ins in their place.
        shutil.copytree(os.path.join(ROOT, "compose"), os.path.join(tree, "compose"),
                        ignore=lambda d, names: ["security"] if os.path.basename(d) == "compose" else [])
        secrets = ["compose/security/ca/ca-key.pem", "compose/security/api-gateway/jwt-signing.pem",
                   "compose/security/client/admin.token"]
        for path in secrets:
            touch(tree, path)
        wanted = set()
        for module in SERVICES + OTHERS:
            jar = f"{module}/target/{module}-0.1.0-SNAPSHOT-all.jar"
            # The agents' image takes the relay-only jar (no Hazelcast); the -all one stays out.
            relayed = f"{module}/target/{module}-0.1.0-SNAPSHOT-relayed.jar"
            for path in (jar, relayed, f"{module}/target/{module}-0.1.0-SNAPSHOT.jar",
                         f"{module}/target/classes/A.class", f"{module}/src/main/java/A.java", f"{module}/pom.xml"):
                touch(tree, path)
            if module == "host-agent-svc":
                jar = relayed
            if module in SERVICES:
                wanted.add(jar)
        # The agent compiled ahead of time goes in; its build's log and other outputs stay out.
        native = "host-agent-svc/native/agent/out/host-agent"
        for path in (native, "host-agent-svc/native/agent/out/build.log",
                     "host-agent-svc/native/agent/config/reflect-config.json"):
            touch(tree, path)
        wanted.add(native)
        touch(tree, ".git/HEAD")
        touch(tree, "README.md")
        with open(os.path.join(tree, ".dockerignore")) as f:
            patterns = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        context = {p for p in exclude_paths(tree, patterns) if os.path.isfile(os.path.join(tree, p))}
        missing = sorted(wanted - context)
        extra = sorted(p for p in context - wanted
                       if (not p.startswith("compose/") or p.startswith("compose/security/")) and p != ".dockerignore")
        if missing or extra:
            print("the build context is wrong:", file=sys.stderr)
            for p in missing:
                print(f"  missing {p}", file=sys.stderr)
            for p in extra:
                print(f"  not wanted {p}", file=sys.stderr)
            return 1
        print(f"build context: {len(wanted)} service jars (with the compiled agent) and compose/ ({len(context)} files)")
        return 0


if __name__ == "__main__":
    sys.exit(main())
