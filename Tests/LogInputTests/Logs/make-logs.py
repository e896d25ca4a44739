#!/usr/bin/env python3
"""Writes Suricata EVE and Zeek logs of a capture from `cipherscope analyze --format jsonl`.

Neither Suricata nor Zeek is installable from this machine's Debian (bookworm) archive,
so the logs the tests read are built from analyze's flow records, in the documented
formats of the two tools:
  - EVE (Suricata 7/8, etc/schema.json): one `flow` event per flow (at its end) and the
    `tls`, `quic`, `dns`, `ssh`, `http` events of the same flow_id (at its start);
    timestamps `YYYY-MM-DDTHH:MM:SS.ffffff+0000`; byte counts are whole frames
    (IP bytes + 14 per packet for Ethernet); JA3/JA4 as with ja3/ja4-fingerprints on;
    SSH software_version cut at the first space, as Suricata's banner parser does.
    Every line is validated against the EVE schema (python3 jsonschema).
  - Zeek 6 TSV logs (#separator/#fields/#types headers) and the same as JSON
    (LogAscii::use_json=T): conn.log, ssl.log (+ ja3/ja3s of the salesforce package,
    ja4/ja4s of FoxIO's), x509.log, dns.log, quic.log, ssh.log, http.log, joined by uid.
What analyze sees but neither tool logs (payload bytes and lengths, JA4T, STUN, RTP,
MTProto, …) is left out, so classify has to cope without it.

usage: make-logs.py ANALYZE.jsonl OUTDIR [EVE_SCHEMA]
"""
import hashlib, json, os, sys
from datetime import datetime, timezone

def ns(text):
    # 2026-11-30T21:19:35.391779Z → epoch nanoseconds
    main, _, frac = text.rstrip("Z").partition(".")
    dt = datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return int(dt.timestamp()) * 10**9 + int((frac + "000000000")[:9])

def eve_time(t):
    dt = datetime.fromtimestamp(t // 10**9, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%06d+0000" % ((t % 10**9) // 1000)

def zeek_time(t):
    return "%d.%06d" % (t // 10**9, (t % 10**9) // 1000)

FLAG_BITS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20, "E": 0x40, "C": 0x80}
def flag_bits(text):
    return sum(FLAG_BITS[c] for c in (text or ""))

CIPHERS = {"1301": "TLS_AES_128_GCM_SHA256", "1302": "TLS_AES_256_GCM_SHA384", "1303": "TLS_CHACHA20_POLY1305_SHA256",
           "c02b": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "c02c": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
           "c02f": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "c030": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}

def uid(flow):
    digest = hashlib.sha256((flow["community_id"] + flow["first_seen"]).encode()).digest()
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    n = int.from_bytes(digest[:12], "big")
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = alphabet[r] + out
    return "C" + out[:17]

def flow_id(flow):
    digest = hashlib.sha256((flow["community_id"] + flow["first_seen"]).encode()).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << 51) - 1)

def colon_hex(text):
    text = text.upper()
    return ":".join(text[i:i + 2] for i in range(0, len(text), 2))

# ---------------------------------------------------------------- EVE

def eve_events(flow):
    start, end = ns(flow["first_seen"]), ns(flow["last_seen"])
    proto = flow["proto"].upper() if flow["proto"] in ("tcp", "udp", "icmp") else ("IPv6-ICMP" if flow["proto"] == "icmpv6" else flow["proto"])
    head = {"flow_id": flow_id(flow), "src_ip": flow["src_ip"], "src_port": flow["src_port"], "dest_ip": flow["dst_ip"],
            "dest_port": flow["dst_port"], "proto": proto, "ip_v": flow["ip_version"],
            "pcap_filename": flow["source_file"], "community_id": flow["community_id"]}
    app = flow.get("app_proto")
    events = []
    tls = flow.get("tls")
    if app == "tls" and tls:
        t = {}
        if tls.get("sni"): t["sni"] = tls["sni"]
        if tls.get("version"): t["version"] = "TLS " + tls["version"] if tls["version"][0].isdigit() else tls["version"].upper()
        certs = tls.get("certificates") or []
        if certs:
            c = certs[0]
            t["subject"] = c["subject"]
            t["issuerdn"] = c["issuer"]
            t["serial"] = colon_hex(c["serial"])
            t["notbefore"] = c["not_before"].rstrip("Z")
            t["notafter"] = c["not_after"].rstrip("Z")
            if c.get("san"): t["subjectaltname"] = c["san"]
        if tls.get("ja3"): t["ja3"] = {"hash": tls["ja3"], "string": tls.get("ja3_string", "")}
        if tls.get("ja3s"): t["ja3s"] = {"hash": tls["ja3s"], "string": tls.get("ja3s_string", "")}
        if tls.get("ja4"): t["ja4"] = tls["ja4"]
        if tls.get("alpn"): t["client_alpns"] = tls["alpn"]
        if tls.get("alpn_selected"): t["server_alpns"] = [tls["alpn_selected"]]
        events.append(dict(timestamp=eve_time(start), **head, event_type="tls", tls=t))
    if app == "quic":
        q = {"version": {"v1": "1", "v2": "quicv2"}.get(flow.get("quic", {}).get("version"), flow.get("quic", {}).get("version", ""))}
        if tls and tls.get("sni"): q["sni"] = tls["sni"]
        if flow.get("quic", {}).get("user_agent"): q["ua"] = flow["quic"]["user_agent"]
        if tls and tls.get("ja3"): q["ja3"] = {"hash": tls["ja3"], "string": tls.get("ja3_string", "")}
        if tls and tls.get("ja4"): q["ja4"] = tls["ja4"]
        events.append(dict(timestamp=eve_time(start), **head, event_type="quic", quic=q))
    dns = flow.get("dns")
    if app == "dns" and dns:
        queries = [{"rrname": q["name"], "rrtype": q["type"]} for q in dns.get("queries", [])]
        events.append(dict(timestamp=eve_time(start), **head, event_type="dns",
                           dns={"version": 3, "type": "request", "id": 1, "queries": queries}))
        answers = [{"rrname": a["name"], "rrtype": a["type"], "ttl": a["ttl"], "rdata": a["data"]} for a in dns.get("answers", [])]
        response = {"version": 3, "type": "response", "id": 1, "flags": "8180", "qr": True, "rd": True, "ra": True,
                    "rcode": dns.get("rcode", "NOERROR"), "queries": queries}
        if answers: response["answers"] = answers
        events.append(dict(timestamp=eve_time(end), **head, event_type="dns", dns=response))
    ssh = flow.get("ssh")
    if app == "ssh" and ssh:
        def side(banner, hassh):
            parts = banner.split("-", 2)
            out = {"proto_version": parts[1], "software_version": parts[2].split(" ")[0]}
            if hassh: out["hassh"] = {"hash": hassh}
            return out
        s = {}
        if ssh.get("client_banner"): s["client"] = side(ssh["client_banner"], ssh.get("hassh"))
        if ssh.get("server_banner"): s["server"] = side(ssh["server_banner"], ssh.get("hassh_server"))
        events.append(dict(timestamp=eve_time(start), **head, event_type="ssh", ssh=s))
    http = flow.get("http")
    if app == "http" and http:
        h = {}
        if http.get("host"): h["hostname"] = http["host"]
        if http.get("target"): h["url"] = http["target"]
        if http.get("method"): h["http_method"] = http["method"]
        if http.get("user_agent"): h["http_user_agent"] = http["user_agent"]
        events.append(dict(timestamp=eve_time(start), **head, event_type="http", http=h))
    f = {"pkts_toserver": flow["packets_c2s"], "pkts_toclient": flow["packets_s2c"],
         "bytes_toserver": flow["bytes_c2s"] + 14 * flow["packets_c2s"],
         "bytes_toclient": flow["bytes_s2c"] + 14 * flow["packets_s2c"],
         "start": eve_time(start), "end": eve_time(end), "age": (end - start) // 10**9,
         "state": "closed" if flow["end_reason"] in ("fin", "rst") else "new" if flow["packets_s2c"] == 0 else "established",
         "reason": "timeout" if flow["end_reason"] == "idle" else "shutdown", "alerted": False}
    record = dict(timestamp=eve_time(end), **head, event_type="flow")
    if app in ("tls", "quic", "dns", "ssh", "http"): record["app_proto"] = app
    elif flow["proto"] in ("tcp", "udp"): record["app_proto"] = "failed"
    record["flow"] = f
    if flow["proto"] == "icmp":
        record["icmp_type"] = flow.get("icmp_type", 0)
        record["icmp_code"] = flow.get("icmp_code", 0)
    if flow["proto"] == "tcp":
        ts, tc = flag_bits(flow.get("tcp_flags_c2s")), flag_bits(flow.get("tcp_flags_s2c"))
        both = ts | tc
        tcp = {"tcp_flags": "%02x" % both, "tcp_flags_ts": "%02x" % ts, "tcp_flags_tc": "%02x" % tc}
        for name, bit in (("syn", 0x02), ("fin", 0x01), ("rst", 0x04), ("psh", 0x08), ("ack", 0x10)):
            if both & bit: tcp[name] = True
        tcp["state"] = "closed" if flow["end_reason"] in ("fin", "rst") else "established"
        record["tcp"] = tcp
    events.append(record)
    return events

# ---------------------------------------------------------------- Zeek

ID_FIELDS = [("id.orig_h", "addr"), ("id.orig_p", "port"), ("id.resp_h", "addr"), ("id.resp_p", "port")]
SCHEMAS = {
    "conn": [("ts", "time"), ("uid", "string")] + ID_FIELDS + [
        ("proto", "enum"), ("service", "string"), ("duration", "interval"), ("orig_bytes", "count"), ("resp_bytes", "count"),
        ("conn_state", "string"), ("local_orig", "bool"), ("local_resp", "bool"), ("missed_bytes", "count"), ("history", "string"),
        ("orig_pkts", "count"), ("orig_ip_bytes", "count"), ("resp_pkts", "count"), ("resp_ip_bytes", "count"),
        ("tunnel_parents", "set[string]"), ("community_id", "string")],
    "ssl": [("ts", "time"), ("uid", "string")] + ID_FIELDS + [
        ("version", "string"), ("cipher", "string"), ("curve", "string"), ("server_name", "string"), ("resumed", "bool"),
        ("last_alert", "string"), ("next_protocol", "string"), ("established", "bool"), ("ssl_history", "string"),
        ("cert_chain_fps", "vector[string]"), ("client_cert_chain_fps", "vector[string]"), ("sni_matches_cert", "bool"),
        ("ja3", "string"), ("ja3s", "string"), ("ja4", "string"), ("ja4s", "string")],
    "x509": [("ts", "time"), ("fingerprint", "string"), ("certificate.version", "count"), ("certificate.serial", "string"),
             ("certificate.subject", "string"), ("certificate.issuer", "string"), ("certificate.not_valid_before", "time"),
             ("certificate.not_valid_after", "time"), ("certificate.key_alg", "string"), ("certificate.sig_alg", "string"),
             ("san.dns", "vector[string]"), ("san.uri", "vector[string]"), ("san.email", "vector[string]"), ("san.ip", "vector[addr]"),
             ("basic_constraints.ca", "bool"), ("host_cert", "bool"), ("client_cert", "bool")],
    "dns": [("ts", "time"), ("uid", "string")] + ID_FIELDS + [
        ("proto", "enum"), ("trans_id", "count"), ("rtt", "interval"), ("query", "string"), ("qclass", "count"),
        ("qclass_name", "string"), ("qtype", "count"), ("qtype_name", "string"), ("rcode", "count"), ("rcode_name", "string"),
        ("AA", "bool"), ("TC", "bool"), ("RD", "bool"), ("RA", "bool"), ("Z", "count"), ("answers", "vector[string]"),
        ("TTLs", "vector[interval]"), ("rejected", "bool")],
    "quic": [("ts", "time"), ("uid", "string")] + ID_FIELDS + [
        ("version", "string"), ("client_initial_dcid", "string"), ("client_scid", "string"), ("server_scid", "string"),
        ("server_name", "string"), ("client_protocol", "string"), ("history", "string")],
    "ssh": [("ts", "time"), ("uid", "string")] + ID_FIELDS + [
        ("version", "count"), ("auth_success", "bool"), ("auth_attempts", "count"), ("direction", "enum"), ("client", "string"),
        ("server", "string"), ("cipher_alg", "string"), ("mac_alg", "string"), ("compression_alg", "string"), ("kex_alg", "string"),
        ("host_key_alg", "string"), ("host_key", "string"), ("hasshVersion", "string"), ("hassh", "string"), ("hasshServer", "string")],
    "http": [("ts", "time"), ("uid", "string")] + ID_FIELDS + [
        ("trans_depth", "count"), ("method", "string"), ("host", "string"), ("uri", "string"), ("referrer", "string"),
        ("version", "string"), ("user_agent", "string"), ("request_body_len", "count"), ("response_body_len", "count"),
        ("status_code", "count"), ("status_msg", "string")],
}

def zeek_records(flow):
    out = {name: [] for name in SCHEMAS}
    u = uid(flow)
    start, end = ns(flow["first_seen"]), ns(flow["last_seen"])
    ids = {"id.orig_h": flow["src_ip"], "id.orig_p": flow["src_port"], "id.resp_h": flow["dst_ip"], "id.resp_p": flow["dst_port"]}
    if flow["proto"] in ("icmp", "icmpv6"):
        ids["id.orig_p"], ids["id.resp_p"] = flow.get("icmp_type", 0), flow.get("icmp_code", 0)
    app = flow.get("app_proto")
    service = {"tls": ["ssl"], "quic": ["quic", "ssl"], "dns": ["dns"], "ssh": ["ssh"], "http": ["http"]}.get(app, [])
    tls = flow.get("tls")
    if tls and app in ("tls", "quic"):
        fps = []
        for c in tls.get("certificates") or []:
            fps.append(c["sha256"])
            out["x509"].append({"ts": start, "fingerprint": c["sha256"], "certificate.version": 3,
                                "certificate.serial": c["serial"].upper(), "certificate.subject": c["subject"],
                                "certificate.issuer": c["issuer"], "certificate.not_valid_before": ns(c["not_before"].rstrip("Z") + "Z"),
                                "certificate.not_valid_after": ns(c["not_after"].rstrip("Z") + "Z"), "certificate.key_alg": "id-ecPublicKey",
                                "certificate.sig_alg": "ecdsa-with-SHA256", "san.dns": c.get("san") or None,
                                "basic_constraints.ca": False, "host_cert": True, "client_cert": False})
        version = tls.get("version")
        out["ssl"].append({"ts": start, "uid": u, **ids,
                           "version": ("TLSv" + version.replace(".", "")) if version and version[0].isdigit() else None,
                           "cipher": CIPHERS.get(tls.get("cipher")), "curve": "x25519", "server_name": tls.get("sni"),
                           "resumed": False, "next_protocol": tls.get("alpn_selected"), "established": bool(tls.get("ja3s")),
                           "ssl_history": "CsxknGIi", "cert_chain_fps": fps or None, "sni_matches_cert": True if fps else None,
                           "ja3": tls.get("ja3"), "ja3s": tls.get("ja3s"), "ja4": tls.get("ja4"), "ja4s": tls.get("ja4s")})
    if app == "quic":
        v = flow.get("quic", {}).get("version")
        out["quic"].append({"ts": start, "uid": u, **ids, "version": {"v1": "1", "v2": "quicv2"}.get(v, v),
                            "client_initial_dcid": "0011223344556677", "server_name": tls.get("sni") if tls else None,
                            "client_protocol": (tls.get("alpn") or [None])[0] if tls else None, "history": "ISisH"})
    dns = flow.get("dns")
    if app == "dns" and dns:
        qs = dns.get("queries") or [{"name": None, "type": None}]
        answers = dns.get("answers", [])
        out["dns"].append({"ts": start, "uid": u, **ids, "proto": flow["proto"], "trans_id": 1, "rtt": end - start,
                           "query": qs[0]["name"], "qclass": 1, "qclass_name": "C_INTERNET",
                           "qtype": {"A": 1, "AAAA": 28}.get(qs[0]["type"], 0), "qtype_name": qs[0]["type"],
                           "rcode": 0 if dns.get("rcode") == "NOERROR" else 3, "rcode_name": dns.get("rcode"),
                           "AA": False, "TC": False, "RD": True, "RA": True, "Z": 0,
                           "answers": [a["data"] for a in answers] or None, "TTLs": [a["ttl"] * 10**9 for a in answers] or None,
                           "rejected": False})
    ssh = flow.get("ssh")
    if app == "ssh" and ssh:
        out["ssh"].append({"ts": start, "uid": u, **ids, "version": 2, "auth_attempts": 0, "direction": "INBOUND",
                           "client": ssh.get("client_banner"), "server": ssh.get("server_banner"), "hasshVersion": "1.1",
                           "hassh": ssh.get("hassh"), "hasshServer": ssh.get("hassh_server")})
    http = flow.get("http")
    if app == "http" and http:
        out["http"].append({"ts": start, "uid": u, **ids, "trans_depth": 1, "method": http.get("method"), "host": http.get("host"),
                            "uri": http.get("target"), "version": "1.1", "user_agent": http.get("user_agent")})
    c2s, s2c = flag_bits(flow.get("tcp_flags_c2s")), flag_bits(flow.get("tcp_flags_s2c"))
    history = ""
    if flow["proto"] == "tcp":
        if c2s & 0x02: history += "S"
        if s2c & 0x02 and s2c & 0x10: history += "h"
        elif s2c & 0x04: history += "r"
        if c2s & 0x10: history += "A"
        if flow["payload_c2s"]: history += "D"
        if flow["payload_s2c"]: history += "d"
        if c2s & 0x01: history += "F"
        if s2c & 0x01: history += "f"
        if c2s & 0x04: history += "R"
    else:
        history = "D" + ("d" if flow["packets_s2c"] else "")
    if flow["proto"] == "tcp":
        state = ("REJ" if flow.get("tcp_handshake") == "rejected" else "RSTO" if c2s & 0x04 else "RSTR" if s2c & 0x04
                 else "SF" if c2s & 0x01 and s2c & 0x01 else "S1")
    elif flow["proto"] in ("icmp", "icmpv6"):
        state = "OTH"
    else:
        state = "SF" if flow["packets_s2c"] else "S0"
    out["conn"].append({"ts": start, "uid": u, **ids, "proto": flow["proto"] if flow["proto"] != "icmpv6" else "icmp",
                        "service": ",".join(service) or None, "duration": end - start,
                        "orig_bytes": flow["payload_c2s"], "resp_bytes": flow["payload_s2c"], "conn_state": state,
                        "local_orig": True, "local_resp": True, "missed_bytes": 0, "history": history,
                        "orig_pkts": flow["packets_c2s"], "orig_ip_bytes": flow["bytes_c2s"],
                        "resp_pkts": flow["packets_s2c"], "resp_ip_bytes": flow["bytes_s2c"], "community_id": flow["community_id"]})
    return out

def tsv_value(value, kind):
    if value is None: return "-"
    if isinstance(value, list):
        if not value: return "(empty)"
        inner = kind[kind.index("[") + 1:-1]
        return ",".join(tsv_value(v, inner) for v in value)
    if kind == "time": return zeek_time(value)
    if kind == "interval": return "%d.%06d" % (value // 10**9, (value % 10**9) // 1000)
    if kind == "bool": return "T" if value else "F"
    text = str(value)
    if text == "": return "(empty)"
    return text.replace("\\", "\\x5c").replace("\t", "\\x09").replace(",", "\\x2c") if kind.startswith(("set", "vector")) else text.replace("\t", "\\x09")

def json_value(value, kind):
    if isinstance(value, list): return [json_value(v, kind[kind.index("[") + 1:-1]) for v in value]
    if kind in ("time", "interval"): return float("%d.%06d" % (value // 10**9, (value % 10**9) // 1000))
    return value

def write_zeek(records, folder, opened):
    os.makedirs(os.path.join(folder, "tsv"), exist_ok=True)
    os.makedirs(os.path.join(folder, "json"), exist_ok=True)
    for name, schema in SCHEMAS.items():
        rows = sorted(records[name], key=lambda r: r["ts"])
        if not rows: continue
        with open(os.path.join(folder, "tsv", name + ".log"), "w") as out:
            out.write("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n")
            out.write("#path\t%s\n#open\t%s\n" % (name, opened))
            out.write("#fields\t" + "\t".join(f for f, _ in schema) + "\n")
            out.write("#types\t" + "\t".join(t for _, t in schema) + "\n")
            for row in rows:
                out.write("\t".join(tsv_value(row.get(f), t) for f, t in schema) + "\n")
            out.write("#close\t%s\n" % opened)
        with open(os.path.join(folder, "json", name + ".log"), "w") as out:
            for row in rows:
                obj = {f: json_value(row[f], t) for f, t in schema if row.get(f) is not None}
                out.write(json.dumps(obj, separators=(",", ":")) + "\n")

def main():
    source, folder = sys.argv[1], sys.argv[2]
    schema_path = sys.argv[3] if len(sys.argv) > 3 else None
    flows = [json.loads(line) for line in open(source) if line.strip()]
    os.makedirs(folder, exist_ok=True)
    events = []
    records = {name: [] for name in SCHEMAS}
    for flow in flows:
        events.extend(eve_events(flow))
        for name, rows in zeek_records(flow).items(): records[name].extend(rows)
    events.sort(key=lambda e: e["timestamp"])
    if schema_path:
        import jsonschema
        validator = jsonschema.Draft202012Validator(json.load(open(schema_path)))
        for event in events:
            errors = list(validator.iter_errors(event))
            if errors:
                sys.exit("EVE event does not validate: %s: %s" % (json.dumps(event)[:200], errors[0].message))
    with open(os.path.join(folder, "eve.json"), "w") as out:
        for event in events: out.write(json.dumps(event, separators=(",", ":")) + "\n")
    opened = datetime.fromtimestamp(ns(flows[0]["first_seen"]) // 10**9, tz=timezone.utc).strftime("%Y-%m-%d-%H-%M-%S") if flows else "-"
    write_zeek(records, os.path.join(folder, "zeek"), opened)
    print("%s: %d flows, %d EVE events%s" % (folder, len(flows), len(events), ", validated against the EVE schema" if schema_path else ""))

main()
