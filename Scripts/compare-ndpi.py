#!/usr/bin/env python3
"""Compares cipherscope's flows with nDPI's expected results (*.out) on the peer captures.

For every capture in CAPTURES (default ../shared/captures/ndpi) runs
`cipherscope analyze --format jsonl`, then, for each flow line of the .out file,
looks the flow up by unordered 5-tuple (+ VLAN) and compares per-direction
packet counts. Prints per-capture and total figures; exits 1 below the
thresholds (99% found, 95% equal packet counts).
"""
import json, os, re, subprocess, sys
from collections import defaultdict

HEAD = re.compile(r'^\t(\d+)\t(\S+) (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+) (<->|->) (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+) (.*)$')
COUNTS = re.compile(r'\[(\d+) pkts/(\d+) bytes (?:<->|->) (\d+) pkts/(\d+) bytes\]')
VLAN = re.compile(r'^\[VLAN: (\d+)\]')
PROTO = {'TCP': 'tcp', 'UDP': 'udp', 'ICMP': 'icmp', 'ICMPV6': 'icmpv6', 'SCTP': 'sctp'}
NUM = {'IGMP': '2', 'ESP': '50', 'GRE': '47', 'AH': '51', 'OSPF': '89', 'PIM': '103', 'VRRP': '112'}

def addr(a):
    return a[1:-1] if a.startswith('[') else a

def norm_ip(a):
    import ipaddress
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        # nDPI sometimes prints IPv6 with two "::" (e.g. "2600:1900:4160:5999::19::");
        # keep the text and match it loosely below.
        return a

def parse_out(path):
    flows = []
    for line in open(path, encoding='utf-8', errors='replace'):
        m = HEAD.match(line.rstrip('\n'))
        if not m:
            continue
        n, l4, a, pa, arrow, b, pb, rest = m.groups()
        if rest.startswith(' '):
            continue
        proto = PROTO.get(l4, NUM.get(l4, l4.lower()))
        vlan = None
        vm = VLAN.match(rest)
        if vm:
            vlan = int(vm.group(1))
        c = COUNTS.search(rest)
        pkts = (int(c.group(1)), int(c.group(3))) if c else None
        flows.append(dict(proto=proto, a=(norm_ip(addr(a)), int(pa)), b=(norm_ip(addr(b)), int(pb)), vlan=vlan, pkts=pkts, line=line.strip()[:160]))
    return flows

def key(proto, a, b):
    return (proto,) + tuple(sorted([a, b]))

def main():
    args = [a for a in sys.argv[1:] if not a.startswith('-')]
    captures = args[0] if args else os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'captures', 'ndpi')
    binary = os.environ.get('CIPHERSCOPE', os.path.join(os.path.dirname(__file__), '..', '.build', 'debug', 'cipherscope'))
    total = found = equal = 0
    verbose = '-v' in sys.argv
    for name in sorted(os.listdir(captures)):
        if not name.endswith('.out'):
            continue
        cap = os.path.join(captures, name[:-4])
        expected = parse_out(os.path.join(captures, name))
        out = subprocess.run([binary, 'analyze', '--format', 'jsonl', '-q', cap], capture_output=True, text=True)
        ours = defaultdict(list)
        for line in out.stdout.splitlines():
            r = json.loads(line)
            a = (r['src_ip'], r['src_port']); b = (r['dst_ip'], r['dst_port'])
            ours[key(r['proto'], a, b)].append(r)
        f = e = 0
        misses = []
        for x in expected:
            k = key(x['proto'], x['a'], x['b'])
            rs = ours.get(k, [])
            if not rs and ('::' in x['a'][0][:-2] and x['a'][0].endswith('::') or x['b'][0].endswith('::')):
                def loose(addr, ours_addr):
                    if not addr.endswith('::'):
                        return addr == ours_addr
                    return ours_addr.startswith(addr.rstrip(':').split('::')[0])
                rs = [r for kk, lst in ours.items() if kk[0] == x['proto'] for r in lst
                      if (loose(x['a'][0], r['src_ip']) and r['src_port'] == x['a'][1] and loose(x['b'][0], r['dst_ip']) and r['dst_port'] == x['b'][1])
                      or (loose(x['b'][0], r['src_ip']) and r['src_port'] == x['b'][1] and loose(x['a'][0], r['dst_ip']) and r['dst_port'] == x['a'][1])]
            if x['vlan'] is not None:
                rs = [r for r in rs if x['vlan'] in r.get('vlan', [])]
            if not rs:
                misses.append('missing: ' + x['line'])
                continue
            f += 1
            # nDPI's first counter is from its first-seen sender (x['a']).
            def from_a(r):
                if (r['src_ip'], r['src_port']) == x['a']:
                    return True
                if (r['dst_ip'], r['dst_port']) == x['a']:
                    return False
                return r['src_port'] == x['a'][1] and x['a'][0].startswith(r['src_ip'][:4])
            pa = sum(r['packets_c2s'] if from_a(r) else r['packets_s2c'] for r in rs)
            pb = sum(r['packets_s2c'] if from_a(r) else r['packets_c2s'] for r in rs)
            if x['proto'] in ('icmp', 'icmpv6') or x['a'] == x['b']:
                ok = x['pkts'] and sum(x['pkts']) == pa + pb
            else:
                ok = x['pkts'] == (pa, pb)
            if ok:
                e += 1
            else:
                misses.append('counts: nDPI %s ours %s (%d records) %s' % (x['pkts'], (pa, pb), len(rs), x['line']))
        total += len(expected); found += f; equal += e
        print('%-60s flows %4d found %4d equal %4d' % (name[:-4], len(expected), f, e))
        if verbose:
            for m in misses[:8]:
                print('    ' + m)
    print('TOTAL flows %d found %d (%.2f%%) equal counts %d (%.2f%% of found)' % (total, found, 100.0 * found / max(total, 1), equal, 100.0 * equal / max(found, 1)))
    return 0 if found >= 0.99 * total and equal >= 0.95 * found else 1

sys.exit(main())
