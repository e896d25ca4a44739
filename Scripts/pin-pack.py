#!/usr/bin/env python3
"""Rewrites a pack manifest's `files:` list with every file of the pack and its
SHA-256 (what `cipherscope rules sign` does, without signing), for editing
unsigned packs. Usage: pin-pack.py PACK_FOLDER...
"""
import hashlib, os, sys

def pin(pack):
    manifest = os.path.join(pack, 'pack.yaml')
    lines = open(manifest).read().split('\n')
    start = next(i for i, l in enumerate(lines) if l.startswith('files:'))
    end = start + 1
    while end < len(lines) and (lines[end].startswith(' ') or lines[end].startswith('-')):
        end += 1
    entries = []
    for root, _, names in os.walk(pack):
        for name in names:
            path = os.path.relpath(os.path.join(root, name), pack)
            if path in ('pack.yaml', 'pack.sig') or name.startswith('.'):
                continue
            digest = hashlib.sha256(open(os.path.join(root, name), 'rb').read()).hexdigest()
            entries.append('  - path: %s\n    sha256: %s' % (path, digest))
    lines[start:end] = ['files:'] + sorted(entries)
    open(manifest, 'w').write('\n'.join(lines))

for pack in sys.argv[1:]:
    pin(pack)
