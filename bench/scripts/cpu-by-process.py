#!/usr/bin/env python3
"""CPU by kind of process while RealHostConvergenceBench runs, and per port event.

  cpu-by-process.py sample OUT.jsonl
      every second, the CPU ticks (utime + stime from /proc/PID/stat) of the processes summed by
      kind (agent JVMs, the benchmark's JVM, PostgreSQL, ovs-vswitchd, ovsdb-server, ip, ...) and,
      for the JVMs, by thread name (digits folded); one JSON line per second, until killed.
  cpu-by-process.py per-event OUT.jsonl BENCH.log FIRST LAST
      the CPU each kind took between the sending of port sample FIRST and of port sample LAST (from
      the benchmark's log lines "sample N: port ... sent TIME"), per port event (a create and a
      delete per sample). A process that ended inside the window is not counted.
"""
import datetime
import json
import os
import re
import sys
import time

HZ = os.sysconf('SC_CLK_TCK')


def kind(cmd):
    if 'RealHostConvergenceBench' in cmd:
        return 'bench'
    # The agent's jar by its name in the tree, or copied aside under any name holding "agent".
    if 'host-agent-svc' in cmd or 'io.dvr.agent.Main' in cmd or re.search(r'-jar \S*agent[^/\s]*\.jar', cmd):
        return 'agent'
    first = cmd.split(' ')[0]
    if first.endswith('postgres') or first.startswith('postgres:'):  # backends rename themselves "postgres: ..."
        return 'postgres'
    for name in ('ovs-vswitchd', 'ovsdb-server', 'ovs-ofctl'):
        if name in cmd:
            return name
    if re.match(r'^(\S*/)?ip ', cmd):
        return 'ip'
    if 'iptables' in cmd or 'xtables' in cmd:
        return 'xtables'
    return 'other'


def ticks(stat):
    fields = stat[stat.rindex(')') + 2:].split()
    return int(fields[11]) + int(fields[12])


def sample(out):
    with open(out, 'w') as f:
        while True:
            kinds, threads = {}, {}
            for pid in filter(str.isdigit, os.listdir('/proc')):
                try:
                    stat = open(f'/proc/{pid}/stat').read()
                    cmd = open(f'/proc/{pid}/cmdline').read().replace('\0', ' ')
                except OSError:
                    continue
                k = kind(cmd)
                kinds[k] = kinds.get(k, 0) + ticks(stat)
                if k in ('agent', 'bench'):
                    try:
                        for tid in os.listdir(f'/proc/{pid}/task'):
                            ts = open(f'/proc/{pid}/task/{tid}/stat').read()
                            name = k + ':' + re.sub(r'[0-9]+', '#', ts[ts.index('(') + 1:ts.rindex(')')])
                            threads[name] = threads.get(name, 0) + ticks(ts)
                    except OSError:
                        pass
            f.write(json.dumps({'t': time.time(), 'cpu': kinds, 'threads': threads}) + '\n')
            f.flush()
            time.sleep(1)


def per_event(samples, log, first, last):
    rows = [json.loads(line) for line in open(samples)]
    text = open(log).read()

    def sent(n):
        m = re.search(r'^sample %d: port \S+ on \S+ sent (\S+)Z' % n, text, re.M)
        if not m:
            sys.exit(f'no port sample {n} in {log}')
        return datetime.datetime.fromisoformat(m.group(1)[:26]).replace(tzinfo=datetime.timezone.utc).timestamp()

    a, b = (min(rows, key=lambda r, t=t: abs(r['t'] - t)) for t in (sent(first), sent(last)))
    events = (last - first) * 2
    seconds = b['t'] - a['t']
    print(f'window {seconds:.1f} s, {events} port events')
    total = 0.0
    for k in sorted(b['cpu']):
        ms = (b['cpu'][k] - a['cpu'].get(k, 0)) * 1000 / HZ
        total += ms
        print(f'{k:14} {ms:9.0f} ms CPU {ms / events:8.2f} ms/event {ms / seconds / 10:6.1f} % of a CPU')
    print(f'total {total / events:.1f} ms of CPU per port event')
    print('threads of the JVMs (ms of CPU in the window):')
    spent = {k: (v - a['threads'].get(k, 0)) * 1000 / HZ for k, v in b['threads'].items()}
    for k, v in sorted(spent.items(), key=lambda x: -x[1])[:25]:
        print(f'  {k:45} {v:8.0f}', flush=True)


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == 'sample':
        sample(sys.argv[2])
    elif len(sys.argv) == 6 and sys.argv[1] == 'per-event':
        per_event(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(__doc__)
