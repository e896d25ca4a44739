#!/usr/bin/env python3
"""Compares cipherscope's TLS evidence with tshark's, flow by flow.

For each capture: tshark lists every ClientHello/ServerHello (TLS over TCP, QUIC
Initial, DTLS) with SNI, JA3 and JA3S; cipherscope's JSON Lines give one record per
flow. For every flow where tshark sees a ClientHello, the flow's SNI and JA3 must
equal tshark's first ones; where tshark sees a ServerHello, JA3S must equal too.
Also counts JA4 agreement with nDPI's `[JA4: ...]` where a .out file is beside the
capture (informational: the Swift peer tests explain every difference).

Usage: compare-tshark.py [-v] CAPTURE...     (exit 1 on any disagreement)
Environment: CIPHERSCOPE = path of the binary (default .build/debug/cipherscope).
"""
import json, os, re, subprocess, sys
from collections import defaultdict

FIELDS = ['frame.number', 'ip.proto', 'ipv6.nxt', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
          'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport',
          'tls.handshake.type', 'tls.handshake.extensions_server_name', 'tls.handshake.ja3', 'tls.handshake.ja3s',
          'dtls.handshake.type', 'dtls.handshake.extensions_server_name', 'dtls.handshake.ja3', 'dtls.handshake.ja3s']
# Ports where the lab captures run TLS without a well-known port.
DECODE_AS = ['-d', 'tcp.port==8443,tls', '-d', 'tcp.port==8444,tls']

def tshark_flows(capture):
    cmd = ['tshark', '-r', capture, '-n', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|'] + DECODE_AS
    cmd += ['-Y', 'tls.handshake.type == 1 or tls.handshake.type == 2 or dtls.handshake.type == 1 or dtls.handshake.type == 2']
    for f in FIELDS:
        cmd += ['-e', f]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    flows = defaultdict(lambda: {'sni': None, 'ja3': None, 'ja3s': None, 'ch': False, 'sh': False})
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split('\t')))
        last = lambda k: v.get(k, '').split('|')[-1] if v.get(k) else ''
        src = last('ipv6.src') or last('ip.src')
        dst = last('ipv6.dst') or last('ip.dst')
        if last('tcp.srcport'):
            proto, sp, dp = 'tcp', last('tcp.srcport'), last('tcp.dstport')
        else:
            proto, sp, dp = 'udp', last('udp.srcport'), last('udp.dstport')
        key = (proto,) + tuple(sorted([(src, int(sp)), (dst, int(dp))]))
        f = flows[key]
        types = (v.get('tls.handshake.type') or v.get('dtls.handshake.type') or '').split('|')
        sni = (v.get('tls.handshake.extensions_server_name') or v.get('dtls.handshake.extensions_server_name') or '').split('|')[0]
        ja3 = (v.get('tls.handshake.ja3') or v.get('dtls.handshake.ja3') or '').split('|')[0]
        ja3s = (v.get('tls.handshake.ja3s') or v.get('dtls.handshake.ja3s') or '').split('|')[0]
        if '1' in types and not f['ch']:
            f['ch'] = True
            f['sni'] = sni or None
            f['ja3'] = ja3 or None
        if '2' in types and not f['sh'] and ja3s:
            f['sh'] = True
            f['ja3s'] = ja3s
    return flows

def ndpi_ja4(capture):
    out = capture + '.out'
    result = {}
    if not os.path.exists(out):
        return result
    head = re.compile(r'^\t\d+\t(\S+) (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+) (?:<->|->) (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+) (.*)$')
    import ipaddress
    def norm(a):
        a = a.strip('[]')
        try:
            return str(ipaddress.ip_address(a))
        except ValueError:
            return a
    for line in open(out, errors='replace'):
        m = head.match(line.rstrip('\n'))
        if not m:
            continue
        l4, a, pa, b, pb, rest = m.groups()
        j = re.search(r'\[JA4: ([^\]]+)\]', rest)
        if j:
            key = (l4.lower(),) + tuple(sorted([(norm(a), int(pa)), (norm(b), int(pb))]))
            result[key] = j.group(1)
    return result

def ours(capture, binary):
    out = subprocess.run([binary, 'analyze', '--format', 'jsonl', '-q', capture], capture_output=True, text=True).stdout
    flows = {}
    for line in out.splitlines():
        r = json.loads(line)
        key = (r['proto'],) + tuple(sorted([(r['src_ip'], r['src_port']), (r['dst_ip'], r['dst_port'])]))
        flows.setdefault(key, r)
    return flows

def main():
    verbose = '-v' in sys.argv
    captures = [a for a in sys.argv[1:] if a != '-v']
    binary = os.environ.get('CIPHERSCOPE', os.path.join(os.path.dirname(__file__), '..', '.build', 'debug', 'cipherscope'))
    totals = defaultdict(int)
    problems = []
    ja4_notes = []
    for capture in captures:
        expected = tshark_flows(capture)
        mine = ours(capture, binary)
        name = os.path.basename(capture)
        for key, t in expected.items():
            r = mine.get(key)
            tls = (r or {}).get('tls', {})
            if t['ch']:
                totals['client_hellos'] += 1
                ok_sni = tls.get('sni') == t['sni']
                ok_ja3 = t['ja3'] is None or tls.get('ja3') == t['ja3']
                totals['sni_equal'] += ok_sni
                totals['ja3_equal'] += ok_ja3
                totals['ja3_compared'] += t['ja3'] is not None
                if not (ok_sni and ok_ja3):
                    problems.append('%s %s: tshark sni=%s ja3=%s, ours sni=%s ja3=%s' % (name, key, t['sni'], t['ja3'], tls.get('sni'), tls.get('ja3')))
            if t['sh']:
                totals['server_hellos'] += 1
                ok = tls.get('ja3s') == t['ja3s']
                totals['ja3s_equal'] += ok
                if not ok:
                    problems.append('%s %s: tshark ja3s=%s, ours ja3s=%s' % (name, key, t['ja3s'], tls.get('ja3s')))
        for key, ja4 in ndpi_ja4(capture).items():
            r = mine.get(key)
            totals['ndpi_ja4'] += 1
            got = ((r or {}).get('tls') or {}).get('ja4')
            if got == ja4:
                totals['ndpi_ja4_equal'] += 1
            else:
                # Informational: the peer tests explain each difference (spec points nDPI gets wrong).
                ja4_notes.append('%s %s: nDPI ja4=%s, ours ja4=%s' % (name, key, ja4, got))
    print('ClientHellos seen by tshark: %(client_hellos)d; SNI equal %(sni_equal)d; JA3 equal %(ja3_equal)d of %(ja3_compared)d' % totals)
    print('ServerHellos with JA3S: %(server_hellos)d; JA3S equal %(ja3s_equal)d' % totals)
    print('nDPI JA4 values: %(ndpi_ja4)d; equal %(ndpi_ja4_equal)d (differences are spec points, explained in PeerEvidenceTests)' % totals)
    if verbose:
        for note in ja4_notes:
            print('  note: ' + note)
    for p in problems if verbose else problems[:40]:
        print('  ' + p)
    return 1 if problems else 0

sys.exit(main())
