#!/usr/bin/env python3
"""Stand-in for the native-image driver's META-INF/native-image walker.
Prints builder arguments for the given classpath: -H:ConfigurationResourceRoots for every
META-INF/native-image/** directory holding JSON configs, and the Args of native-image.properties
translated from API options to -H: options."""
import sys, zipfile, shlex, os
roots, args = [], []
def translate(a):
    for api, suf in (("--initialize-at-run-time=", ":run_time"), ("--initialize-at-build-time=", ":build_time")):
        if a.startswith(api):
            return ["-H:ClassInitialization=" + ",".join(x + suf for x in a[len(api):].split(",") if x)]
    if a.startswith("-H:"): return [a]
    if a.startswith("--enable-url-protocols="): return ["-H:EnableURLProtocols=" + a.split("=", 1)[1]]
    sys.stderr.write("metainf-args: ignoring unsupported option %r\n" % a); return []
for entry in sys.argv[1].split(":"):
    if not entry.endswith(".jar"): continue
    with zipfile.ZipFile(entry) as z:
        for n in z.namelist():
            if not n.startswith("META-INF/native-image/") or n.endswith("/"): continue
            d = os.path.dirname(n)
            if n.endswith(".json") and d not in roots: roots.append(d)
            if n.endswith("native-image.properties"):
                text = z.read(n).decode().replace("\\\n", " ")
                for line in text.splitlines():
                    line = line.strip()
                    if line.startswith("Args"):
                        for a in shlex.split(line.split("=", 1)[1]):
                            args += translate(a)
for r in roots: print("-H:ConfigurationResourceRoots=" + r)
for a in args: print(a)
