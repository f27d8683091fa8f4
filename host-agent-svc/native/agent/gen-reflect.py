#!/usr/bin/env python3
"""Writes a reflect-config.json for every protobuf-java generated type in a jar.
protobuf's GeneratedMessage.FieldAccessorTable (used by descriptors, DynamicMessage, TextFormat,
toString, JsonFormat) looks the accessors of messages, builders and enums up reflectively by name,
so every class whose superclass is one of protobuf's generated bases, or that implements
ProtocolMessageEnum (and all of io.dvr.proto.*), is registered with its declared fields, its public
constructors and ONLY the public methods FieldAccessorTable can look up (size: registering all public
methods made every parseFrom/mergeFrom/addAll/put/remove/...OrBuilder overload of ~800 classes
reachable and compiled in). Kept, by name: get*/set*/has*/clear*/add* (FieldAccessorTable's
get/getX(int)/getXList/getXCount/getXBytes/getXBuilder/getXCase/getXValue, set/setXBytes/setXValue,
has, clear, add/addXValue), newBuilder, getDefaultInstance, valueOf, forNumber, getValueDescriptor,
getDescriptor; dropped: addAll*, *OrBuilder(List), *BuilderList, add*Builder, and set/add overloads
that take a Builder (FieldAccessorTable passes the field's own type). getMethods() still sees every
public method ("queryAllPublicMethods": metadata only, not invocable, no code).
usage: gen-reflect.py <jar> <out.json> [--all]   (--all: every public method, as before the list was narrowed: 5 MB more RSS)"""
import sys, zipfile, json, struct, re

BASES = {'com/google/protobuf/GeneratedMessage', 'com/google/protobuf/GeneratedMessage$Builder',
         'com/google/protobuf/GeneratedMessage$ExtendableMessage', 'com/google/protobuf/GeneratedMessage$ExtendableBuilder',
         'com/google/protobuf/GeneratedMessageV3', 'com/google/protobuf/GeneratedMessageV3$Builder',
         'com/google/protobuf/GeneratedMessageV3$ExtendableMessage', 'com/google/protobuf/GeneratedMessageV3$ExtendableBuilder'}
IFACES = {'com/google/protobuf/ProtocolMessageEnum'}
KEEP_EXACT = {'newBuilder', 'getDefaultInstance', 'valueOf', 'forNumber', 'getValueDescriptor', 'getDescriptor'}
PRIM = {'B': 'byte', 'C': 'char', 'D': 'double', 'F': 'float', 'I': 'int', 'J': 'long', 'S': 'short', 'Z': 'boolean'}

def parse_class(data):
    """this_class, super_class, interfaces and public methods [(name, [param types])] of a class file."""
    off, n = 10, struct.unpack('>H', data[8:10])[0]
    utf8, classes, i = {}, {}, 1
    while i < n:
        tag = data[off]
        if tag == 1:
            ln = struct.unpack('>H', data[off + 1:off + 3])[0]
            utf8[i] = data[off + 3:off + 3 + ln].decode('utf-8', 'replace'); off += 3 + ln
        elif tag == 7:
            classes[i] = struct.unpack('>H', data[off + 1:off + 3])[0]; off += 3
        elif tag in (8, 16, 19, 20): off += 3
        elif tag == 15: off += 4
        elif tag in (3, 4, 9, 10, 11, 12, 17, 18): off += 5
        elif tag in (5, 6): off += 9; i += 1
        else: raise ValueError('constant pool tag %d' % tag)
        i += 1
    name = lambda idx: utf8[classes[idx]] if idx else None
    _, this, sup, ni = struct.unpack('>HHHH', data[off:off + 8])
    ifaces = [name(struct.unpack('>H', data[off + 8 + 2 * k:off + 10 + 2 * k])[0]) for k in range(ni)]
    off += 8 + 2 * ni
    def members(off):
        cnt = struct.unpack('>H', data[off:off + 2])[0]; off += 2; out = []
        for _ in range(cnt):
            acc, ni_, di, ac = struct.unpack('>HHHH', data[off:off + 8]); off += 8
            for _ in range(ac):
                off += 6 + struct.unpack('>I', data[off + 2:off + 6])[0]
            out.append((acc, utf8[ni_], utf8[di]))
        return off, out
    off, _fields = members(off)
    off, methods = members(off)
    return name(this), name(sup), ifaces, [(m, params(d)) for acc, m, d in methods if acc & 1 and not m.startswith('<')]

def params(desc):
    out, p, s = [], re.match(r'\((.*)\)', desc).group(1), 0
    while s < len(p):
        dims = 0
        while p[s] == '[': dims += 1; s += 1
        if p[s] == 'L':
            e = p.index(';', s); t = p[s + 1:e].replace('/', '.'); s = e + 1
        else:
            t = PRIM[p[s]]; s += 1
        out.append(t + '[]' * dims)
    return out

def wanted(m, ps):
    if m in KEEP_EXACT: return True
    if not re.match(r'(get|set|has|clear|add)[A-Z]', m): return False
    if m.startswith('addAll') or m.endswith('OrBuilder') or m.endswith('OrBuilderList') or m.endswith('BuilderList'): return False
    if m.startswith('add') and m.endswith('Builder'): return False
    if m.startswith("add") and len(ps) == 2: return False   # add(int index, T): FieldAccessorTable uses add(T)
    if m[:3] in ('set', 'add') and ps and ps[-1].endswith('$Builder'): return False
    return True

jar, out = sys.argv[1], sys.argv[2]
allmethods = '--all' in sys.argv[3:]
cfg, nm = [], 0
with zipfile.ZipFile(jar) as z:
    for n in sorted(z.namelist()):
        if not n.endswith('.class') or n.startswith('META-INF/'): continue
        this, sup, ifaces, methods = parse_class(z.read(n))
        # the project's own generated package entirely (messages, builders, enums, outer classes, stubs)
        if sup in BASES or IFACES.intersection(ifaces) or n.startswith('io/dvr/proto/'):
            e = {"name": this.replace('/', '.'), "allDeclaredFields": True, "allPublicConstructors": True}
            if allmethods:
                e["allPublicMethods"] = True
            else:
                e["queryAllPublicMethods"] = True
                e["methods"] = [{"name": m, "parameterTypes": ps} for m, ps in methods if wanted(m, ps)]
                nm += len(e["methods"])
            cfg.append(e)
json.dump(cfg, open(out, 'w'), indent=1)
print('gen-reflect: %d protobuf classes, %s methods' % (len(cfg), 'all public' if allmethods else nm), file=sys.stderr)
