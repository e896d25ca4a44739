#!/usr/bin/env python3
"""Writes a rule pack of N synthetic rules (default 10,000) for the rule-engine
benchmark: a mix of SNI suffix, exact JA4, CIDR + port, STUN realm and payload-prefix
rules on made-up names and documentation-free private ranges, so that they compete
in every index without matching real traffic.

Usage: make-synthetic-rules.py OUT_FOLDER [N]
"""
import os, sys, uuid, random

def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    rnd = random.Random(20261130)
    os.makedirs(os.path.join(out, 'rules'), exist_ok=True)
    platforms = ['Signal', 'WhatsApp', 'Telegram', 'Threema', 'Viber', 'Wire', 'Element', 'Session']
    per_file = 1000   # the loader refuses rule files over 4 MiB
    files = {}
    for i in range(n):
        lines = files.setdefault(i // per_file, ['rules:'])
        kind = i % 5
        rid = uuid.UUID(int=rnd.getrandbits(128), version=4)
        platform = platforms[i % len(platforms)]
        if kind == 0:
            match = '      tls.sni: {suffix: [svc%d.synthetic-%d.example]}' % (i, i % 97)
        elif kind == 1:
            match = '      tls.ja4: {exact: [t13d%04d%02dh2_%012x_%012x]}' % (i % 10000, i % 99, rnd.getrandbits(48), rnd.getrandbits(48))
        elif kind == 2:
            match = ('      all:\n        - dst_ip: {cidr: [10.%d.%d.0/24]}\n        - dst_port: {range: [%d]}'
                     % ((i // 256) % 256, i % 256, 1024 + i % 50000))
        elif kind == 3:
            match = '      stun.realm: {exact: [realm-%d.synthetic.example]}' % i
        else:
            match = '      payload: {direction: c2s, offset: 0, hex: "%02x %02x %02x ?? %02x"}' % (
                0xf0 ^ (i & 0x0f), (i >> 4) & 0xff, (i >> 12) & 0xff, rnd.getrandbits(8))
        lines += [
            '  - id: %s' % rid,
            '    name: synthetic-%05d' % i,
            '    rev: 1',
            '    title: Synthetic rule %d for the benchmark' % i,
            '    platform: %s' % platform,
            '    service: chat',
            '    confidence: low',
            '    status: experimental',
            '    description: Generated; matches no real traffic.',
            '    references: [benchmark]',
            '    created: 2026-11-30',
            '    modified: 2026-11-30',
            '    last_checked: 2026-11-30',
            '    match:',
            match,
        ]
    for index, lines in files.items():
        with open(os.path.join(out, 'rules', 'synthetic-%02d.yaml' % index), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    with open(os.path.join(out, 'pack.yaml'), 'w') as f:
        f.write('''format: 1
id: org.cipherscope.bench.synthetic
name: Synthetic benchmark rules
version: 1.0.0
description: %d generated rules that match no real traffic, for the rule-engine benchmark.
author: cipherscope benchmark
organisation: cipherscope
licence: CC0-1.0
tlp: clear
created: 2026-11-30
modified: 2026-11-30
files: []
''' % n)

main()
