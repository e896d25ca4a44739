"""Parses a STIX 2.1 bundle with stix2 (allow_custom) and validates every STIX pattern."""
import json
import sys

import stix2
from stix2patterns.validator import run_validator

TLP1 = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "white",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
text = open(sys.argv[1], encoding="utf-8").read()
bundle = stix2.parse(text, allow_custom=True)
ids = {o["id"] for o in bundle.objects}
indicators = stix_patterns = suricata_patterns = 0
for o in bundle.objects:
    if o["type"] == "marking-definition" and o["id"] in TLP1:
        assert o["definition"]["tlp"] == TLP1[o["id"]], o["id"]
    if o["type"] != "indicator":
        continue
    indicators += 1
    for ref in o["object_marking_refs"]:
        assert ref in ids, f"marking {ref} not in bundle"
    assert o["created_by_ref"] in ids
    if o["pattern_type"] == "stix":
        errors = run_validator(o["pattern"], stix_version="2.1")
        if errors:
            sys.exit(f"{o['id']}: {o['pattern']}: {errors}")
        stix_patterns += 1
    else:
        assert o["pattern_type"] == "suricata", o["pattern_type"]
        suricata_patterns += 1
notes = [o for o in bundle.objects if o["type"] == "note"]
assert notes and "x_cipherscope_unexpressed" in notes[0]
print(f"indicators {indicators} stix {stix_patterns} suricata {suricata_patterns} unexpressed {len(notes[0]['x_cipherscope_unexpressed'])}")
