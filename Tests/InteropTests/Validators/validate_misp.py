"""Loads a MISP event with pymisp and checks every object against pymisp's shipped misp-objects templates."""
import json
import os
import sys

import pymisp
from pymisp import MISPEvent

base = os.path.join(os.path.dirname(pymisp.__file__), "data", "misp-objects", "objects")
event = MISPEvent()
with open(sys.argv[1], encoding="utf-8") as f:
    event.load(f)
assert any(t.name.startswith("tlp:") for t in event.tags), "no TLP tag on the event"
attributes = 0
for obj in event.objects:
    template = json.load(open(os.path.join(base, obj.name, "definition.json"), encoding="utf-8"))
    assert obj.template_uuid == template["uuid"], (obj.name, obj.template_uuid)
    assert int(obj.template_version) <= int(template["version"]), (obj.name, obj.template_version)
    relations = [a.object_relation for a in obj.attributes]
    for a in obj.attributes:
        spec = template["attributes"].get(a.object_relation)
        assert spec is not None, f"{obj.name}: unknown relation {a.object_relation}"
        assert a.type == spec["misp-attribute"], f"{obj.name}.{a.object_relation}: type {a.type} != {spec['misp-attribute']}"
        if spec.get("values"):
            assert a.value in spec["values"], f"{obj.name}.{a.object_relation}: {a.value} not in {spec['values']}"
        if not spec.get("multiple"):
            assert relations.count(a.object_relation) == 1, f"{obj.name}: {a.object_relation} more than once"
        assert any(t.name.startswith("tlp:") for t in a.tags), "attribute without TLP tag"
        attributes += 1
    for required in template.get("required", []):
        assert required in relations, f"{obj.name}: required {required} missing"
    if template.get("requiredOneOf"):
        assert set(relations) & set(template["requiredOneOf"]), f"{obj.name}: none of {template['requiredOneOf']}"
reports = event.event_reports
print(f"objects {len(event.objects)} attributes {attributes} reports {len(reports)}")
