#!/usr/bin/env python3
"""Writes stix-bundle.json, the STIX 2.1 test input of InteropImportTests (stix2 library).

Run from this folder: python3 make-stix-bundle.py. Fixed ids and dates keep the file stable.
"""
import json
import stix2

T = "2026-11-30T12:00:00.000Z"
identity = stix2.Identity(id="identity--5a1c1f2e-0b6a-4c1e-9a59-6b3c2d1e0f01", name="Example CERT", identity_class="organization", created=T, modified=T)
tool = stix2.Tool(id="tool--5a1c1f2e-0b6a-4c1e-9a59-6b3c2d1e0f02", name="ExampleMessenger", created=T, modified=T)

def indicator(n, name, pattern, pattern_type="stix", markings=(stix2.TLP_AMBER,), confidence=None, **extra):
    args = dict(id="indicator--5a1c1f2e-0b6a-4c1e-9a59-6b3c2d1e0%03x" % n, name=name, pattern=pattern, pattern_type=pattern_type,
                valid_from=T, created=T, modified=T, created_by_ref=identity.id, object_marking_refs=list(markings), **extra)
    if confidence is not None:
        args["confidence"] = confidence
    return stix2.Indicator(**args)

indicators = [
    indicator(0x101, "front door domain", "[domain-name:value = 'chat.example.net']", confidence=80,
              external_references=[{"source_name": "case", "external_id": "CASE-2026-017"}]),
    indicator(0x102, "relay addresses", "[ipv4-addr:value = '203.0.113.0/24' OR ipv6-addr:value = '2001:db8:17::/48']", markings=(stix2.TLP_GREEN,)),
    indicator(0x103, "relay on the media port",
              "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value ISSUBSET '198.51.100.0/24' AND network-traffic:dst_port = 3478]"),
    indicator(0x104, "server certificate", "[x509-certificate:hashes.'SHA-256' = 'AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00112233445566778899']",
              markings=(stix2.TLP_RED,)),
    indicator(0x105, "certificate by SHA-1", "[x509-certificate:hashes.'SHA-1' = '9a8b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b']"),
    indicator(0x106, "two observations", "[domain-name:value = 'a.example.net'] AND [domain-name:value = 'b.example.net']"),
    indicator(0x107, "url", "[url:value = 'https://example.net/x']"),
    indicator(0x108, "within qualifier", "[domain-name:value = 'c.example.net'] WITHIN 300 SECONDS"),
    indicator(0x109, "ja4 by suricata rule",
              'alert tls any any -> any any (msg:"ExampleMessenger JA4"; ja4.hash; content:"t13d1516h2_8daaf6152771_e5627efa2ab1"; sid:9000001; rev:1;)',
              pattern_type="suricata"),
    indicator(0x10a, "media domains", "[domain-name:value = 'media.example.net'] OR [domain-name:value = 'media2.example.net']"),
]
relationships = [stix2.Relationship(id="relationship--5a1c1f2e-0b6a-4c1e-9a59-6b3c2d1e0%03x" % (0x200 + i), relationship_type="indicates",
                                    source_ref=ind.id, target_ref=tool.id, created=T, modified=T) for i, ind in enumerate(indicators)]
bundle = stix2.Bundle(identity, tool, stix2.TLP_GREEN, stix2.TLP_AMBER, stix2.TLP_RED, *indicators, *relationships,
                      id="bundle--5a1c1f2e-0b6a-4c1e-9a59-6b3c2d1e0fff")
with open("stix-bundle.json", "w") as out:
    out.write(bundle.serialize(pretty=True))
    out.write("\n")
