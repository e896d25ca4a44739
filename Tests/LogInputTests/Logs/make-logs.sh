#!/bin/sh
# Makes the Suricata EVE and Zeek logs of the lab captures that LogInputTests classify.
#
# Real logs first: if `suricata` and `zeek` are installed they are run on the captures
# (eve.json with community-id and ja3/ja4 on; Zeek TSV and JSON logs). Neither is in
# Debian 12's archive, so on this project's machines the logs are generated from
# `cipherscope analyze --format jsonl` by make-logs.py, in the documented formats,
# with every EVE line validated against Suricata's EVE schema (python3-jsonschema).
#
# usage: Tests/LogInputTests/Logs/make-logs.sh   (from the package root)
set -eu
here=Tests/LogInputTests/Logs
schema=${EVE_SCHEMA:-/work/shared/reference/interop/suricata-eve-schema.json}
swift build --product cipherscope >/dev/null
for capture in lab-basic lab-quic lab-ssh lab-xmpp lab-mtproto; do
    out=$here/$capture
    rm -rf "$out"
    mkdir -p "$out"
    if command -v suricata >/dev/null 2>&1 && command -v zeek >/dev/null 2>&1; then
        cat >"$out/suricata.yaml" <<YAML
%YAML 1.1
---
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      community-id: yes
      types: [flow, tls, quic, dns, http, ssh]
app-layer:
  protocols:
    tls: {ja3-fingerprints: yes, ja4-fingerprints: yes}
    quic: {enabled: yes}
YAML
        suricata -c "$out/suricata.yaml" -r "Captures/$capture.pcap" -l "$out" -k none
        mkdir -p "$out/zeek/tsv" "$out/zeek/json"
        (cd "$out/zeek/tsv" && zeek -C -r "../../../../../../Captures/$capture.pcap")
        (cd "$out/zeek/json" && zeek -C -r "../../../../../../Captures/$capture.pcap" LogAscii::use_json=T)
        continue
    fi
    .build/debug/cipherscope analyze --no-rules --format jsonl --force -o "$out/analyze.jsonl" "Captures/$capture.pcap" 2>/dev/null
    if [ -f "$schema" ]; then
        python3 "$here/make-logs.py" "$out/analyze.jsonl" "$out" "$schema"
    else
        python3 "$here/make-logs.py" "$out/analyze.jsonl" "$out"
    fi
    rm "$out/analyze.jsonl"
done
