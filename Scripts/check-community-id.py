#!/usr/bin/env python3
"""Checks every flow's community_id against the reference implementation
(the `communityid` package from PyPI, corelight/pycommunityid).

Usage: check-community-id.py [--seed N] FILE.jsonl...   (reads standard input when no file)
--seed N: the seed the flows were written with (`cipherscope analyze --community-id-seed N`).
ICMP/ICMPv6 flows are checked with the reference's own type mapping (make_icmp/make_icmp6,
from the flow's icmp_type and icmp_code) and counted apart.
Exit 1 on any mismatch.
"""
import json, sys
import communityid

PROTOS = {'tcp': 6, 'udp': 17, 'icmp': 1, 'icmpv6': 58, 'sctp': 132}

def reference(flow, cid):
    proto = PROTOS.get(flow['proto'])
    if proto is None:
        proto = int(flow['proto'])
    if proto == 1:
        tpl = communityid.FlowTuple.make_icmp(flow['src_ip'], flow['dst_ip'], flow['icmp_type'], flow['icmp_code'])
    elif proto == 58:
        tpl = communityid.FlowTuple.make_icmp6(flow['src_ip'], flow['dst_ip'], flow['icmp_type'], flow['icmp_code'])
    elif proto in (6, 17, 132):
        tpl = communityid.FlowTuple(proto, flow['src_ip'], flow['dst_ip'], flow['src_port'], flow['dst_port'])
    else:
        tpl = communityid.FlowTuple(proto, flow['src_ip'], flow['dst_ip'])
    return cid.calc(tpl)

def main():
    args = sys.argv[1:]
    seed = 0
    if args[:1] == ['--seed']:
        seed = int(args[1])
        args = args[2:]
    cid = communityid.CommunityID(seed=seed)
    files = args or ['-']
    checked = bad = icmp = 0
    for path in files:
        stream = sys.stdin if path == '-' else open(path)
        for line in stream:
            if not line.strip():
                continue
            flow = json.loads(line)
            expected = reference(flow, cid)
            checked += 1
            icmp += flow['proto'] in ('icmp', 'icmpv6')
            if flow['community_id'] != expected:
                bad += 1
                print('MISMATCH %s: ours %s reference %s (%s)' % (path, flow['community_id'], expected, line.strip()[:200]))
    print('community_id (seed %d): %d flows checked (%d ICMP/ICMPv6), %d mismatches' % (seed, checked, icmp, bad))
    return 1 if bad or not checked else 0

sys.exit(main())
