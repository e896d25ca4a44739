"""Parses every rule of a Suricata export with suricataparser; prints 'rules N'."""
import sys
from suricataparser import parse_rule

path = sys.argv[1]
count = 0
sids = set()
for number, line in enumerate(open(path, encoding="utf-8"), 1):
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        continue
    rule = parse_rule(line)
    if rule is None:
        sys.exit(f"line {number}: not a rule: {line}")
    if rule.action != "alert" or not rule.msg or rule.sid is None:
        sys.exit(f"line {number}: action/msg/sid missing")
    if rule.sid in sids:
        sys.exit(f"line {number}: duplicate sid {rule.sid}")
    sids.add(rule.sid)
    if not any(m.startswith("cipherscope_rule ") for m in rule.metadata):
        sys.exit(f"line {number}: no cipherscope_rule metadata")
    if not any(m.startswith("tlp ") for m in rule.metadata):
        sys.exit(f"line {number}: no tlp metadata")
    names = [o.name for o in rule.options]
    if "classtype" not in names or "rev" not in names:
        sys.exit(f"line {number}: classtype/rev missing")
    for option in rule.options:
        if option.name == "content" and not (option.value.startswith('"') and option.value.endswith('"')):
            sys.exit(f"line {number}: content not quoted: {option.value}")
    count += 1
print(f"rules {count}")
