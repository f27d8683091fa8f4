# Generates C headers from SubstrateVM's @CStruct/@CField/@CConstant Java declarations.
import re, sys
src, out, guard = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(src).read()
lines = []
consts = re.findall(r'@CConstant\s+static native \w+ (\w+)\(\)', text)
for i, c in enumerate(consts):
    lines.append(f'#define {c} {i}')
for m in re.finditer(r'@CStruct(?:\((?:value\s*=\s*)?"(\w+)"\))?\s*(?:@\w+(?:\([^)]*\))?\s*)*(?:public\s+)?interface\s+(\w+)[^{]*\{(.*?)\n\s*\}', text, re.S):
    cname = m.group(1) or m.group(2)
    body = m.group(3)
    fields = []
    for f in re.finditer(r'@CField(?:\((?:value\s*=\s*)?"?(\w*)"?\))?\s*(\w+)\s+(\w+)\(\)', body):
        name = f.group(1) or f.group(3)
        t = f.group(2)
        ctype = {'boolean': 'char', 'int': 'int', 'long': 'long', 'byte': 'char', 'short': 'short'}.get(t, 'char *')
        if name not in [x[1] for x in fields]:
            fields.append((ctype, name))
    lines.append('typedef struct {')
    for ctype, name in fields:
        lines.append(f'  {ctype} {name};')
    lines.append('} ' + cname + ';')
open(out, 'w').write(f'#ifndef {guard}\n#define {guard}\n' + '\n'.join(lines) + '\n#endif\n')
print(out, len(lines))
