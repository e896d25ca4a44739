#!/usr/bin/env python3
"""Platform agreement with nDPI on the peer captures (issue: platform rule packs).

For every capture with a `.out` file: runs `cipherscope analyze --format jsonl` with the
shipped rules, matches flows to nDPI's by unordered 5-tuple, and counts:
  - of the flows nDPI labels as a messaging/calling platform BY DPI (not by IP, port or
    custom rule), how many get the same platform from us (nDPI names mapped to ours);
  - of the flows nDPI labels as something else (not Unknown), how many we give a platform;
  - of the flows nDPI leaves Unknown, how many we label (with the platform).
Prints a per-platform table; exits 1 when agreement < 97% or the other rate > 1%.

Usage: compare-platforms.py [-v] [CAPTURES_FOLDER]
Environment: CIPHERSCOPE = path of the binary (default .build/debug/cipherscope).
"""
import ipaddress, json, os, re, subprocess, sys
from collections import defaultdict

# nDPI application names → our canonical platform names (one nDPI name may accept two of ours).
NDPI_TO_OURS = {
    'Signal': {'Signal'}, 'SignalVoip': {'Signal'},
    'WhatsApp': {'WhatsApp'}, 'WhatsAppCall': {'WhatsApp'}, 'WhatsAppFiles': {'WhatsApp'},
    'Telegram': {'Telegram'}, 'TelegramVoip': {'Telegram'},
    'Threema': {'Threema'}, 'Viber': {'Viber'}, 'ViberVoip': {'Viber'},
    'Line': {'LINE'}, 'LineCall': {'LINE'}, 'WeChat': {'WeChat'}, 'Tor': {'Tor'},
    'Skype_Teams': {'Teams', 'Skype'}, 'Skype_TeamsCall': {'Teams', 'Skype'}, 'Teams': {'Teams', 'Skype'},
    'FacebookMessenger': {'Messenger'}, 'FacebookVoip': {'Messenger', 'WhatsApp'},
    'Discord': {'Discord'}, 'Zoom': {'Zoom'}, 'Snapchat': {'Snapchat'}, 'SnapchatCall': {'Snapchat'},
    'KakaoTalk': {'KakaoTalk'}, 'IMO': {'IMO'}, 'Jabber': {'XMPP'},
    'GoogleCall': {'GoogleMeet'}, 'GoogleMeet': {'GoogleMeet'},
    'Psiphon': {'Psiphon'}, 'WireGuard': {'WireGuard'}, 'OpenVPN': {'OpenVPN'},
    # VPN services that nDPI names on top of the protocol we label.
    'Mullvad': {'WireGuard'}, 'Tailscale': {'WireGuard'}, 'NordVPN': {'OpenVPN'}, 'ProtonVPN': {'ProtonVPN', 'WireGuard', 'OpenVPN'},
}
HEAD = re.compile(r'^\t\d+\t(\S+) (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+) (?:<->|->) (\[[0-9a-fA-F:.]+\]|[0-9.]+):(\d+) (.*)$')
# Labels that name only a carrier protocol, not an application.
CARRIERS = {'TLS', 'DNS', 'QUIC', 'HTTP', 'STUN', 'DTLS', 'RTP', 'SRTP', 'RTCP', 'ICMP', 'ICMPV6', 'UDP', 'TCP'}
# Disagreements where nDPI's label is wrong or unsupported by what the flow shows;
# each is asserted with its evidence in Tests/AnalysisTests/PeerPlatformTests.swift.
EXPLAINED = {
    ('jabber.pcap', '160.44.201.102', 5223): 'binary length-prefixed protocol on tcp/5223 (Huawei Cloud), no XML stream',
    ('teams.pcap', '104.40.187.151', 443): 'SNI api.microsoftstream.com: Microsoft Stream, not Teams',
    ('teams.pcap', '52.169.186.119', 443): 'SNI euno-1.api.microsoftstream.com: Microsoft Stream, not Teams',
    ('teams.pcap', '40.79.138.41', 443): 'SNI gate.hockeyapp.net: HockeyApp telemetry, not Teams',
    ('dns_ambiguous_names.pcap', '8.8.8.8', 53): 'short.weixin.qq.com is WeChat (weixin), not QQ',
}
PROTO = {'TCP': 'tcp', 'UDP': 'udp', 'ICMP': 'icmp', 'ICMPV6': 'icmpv6'}

def norm(address):
    address = address.strip('[]')
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address

def ndpi_flows(path):
    flows = []
    for line in open(path, errors='replace'):
        m = HEAD.match(line.rstrip('\n'))
        if not m or m.group(6).startswith(' '):
            continue
        l4, a, pa, b, pb, rest = m.groups()
        label = re.search(r'\[proto: [^\]]*?([A-Za-z0-9_]+)\]', rest)
        confidence = re.search(r'\[Confidence: ([^\]]+)\]', rest)
        app = label.group(1) if label else 'Unknown'
        key = (PROTO.get(l4, l4.lower()),) + tuple(sorted([(norm(a), int(pa)), (norm(b), int(pb))]))
        flows.append((key, app, confidence.group(1) if confidence else '', line.strip()[:150]))
    return flows

def main():
    verbose = '-v' in sys.argv
    args = [a for a in sys.argv[1:] if not a.startswith('-')]
    folder = args[0] if args else os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'captures', 'ndpi')
    binary = os.environ.get('CIPHERSCOPE', os.path.join(os.path.dirname(__file__), '..', '.build', 'debug', 'cipherscope'))
    rules = os.path.join(os.path.dirname(__file__), '..', 'Rules')
    per = defaultdict(lambda: [0, 0])
    other_total = other_labelled = 0
    carrier_total = 0
    carrier_labelled = defaultdict(int)
    unknown_total = 0
    unknown_labelled = defaultdict(int)
    notes = []
    explained = 0
    for name in sorted(os.listdir(folder)):
        if not name.endswith('.out'):
            continue
        capture = os.path.join(folder, name[:-4])
        out = subprocess.run([binary, 'analyze', '--rules', rules, '--format', 'jsonl', '-q', capture], capture_output=True, text=True).stdout
        ours = {}
        for line in out.splitlines():
            r = json.loads(line)
            key = (r['proto'],) + tuple(sorted([(r['src_ip'], r['src_port']), (r['dst_ip'], r['dst_port'])]))
            ours.setdefault(key, r)
        for key, app, confidence, text in ndpi_flows(os.path.join(folder, name)):
            r = ours.get(key, {})
            platform = r.get('platform')
            by_dpi = confidence.startswith('DPI')
            if app in NDPI_TO_OURS and by_dpi:
                display = sorted(NDPI_TO_OURS[app])[0] if len(NDPI_TO_OURS[app]) == 1 else '/'.join(sorted(NDPI_TO_OURS[app]))
                per[display][0] += 1
                if platform in NDPI_TO_OURS[app]:
                    per[display][1] += 1
                else:
                    reason = next((EXPLAINED[(name[:-4],) + e] for e in key[1:] if (name[:-4],) + e in EXPLAINED), None)
                    if reason:
                        explained += 1
                        notes.append('explained (%s): ' % reason + '%s: nDPI %s, ours %s' % (name[:-4], app, platform))
                        continue
                    notes.append('%s: nDPI %s (%s), ours %s: %s' % (name[:-4], app, confidence, platform, text))
            elif app == 'Unknown':
                unknown_total += 1
                if platform:
                    unknown_labelled[platform] += 1
            elif app in CARRIERS:
                # nDPI names only the carrier protocol (often by port): no claim about the application.
                carrier_total += 1
                if platform:
                    carrier_labelled[platform] += 1
            elif app not in NDPI_TO_OURS:
                other_total += 1
                if platform:
                    other_labelled += 1
                    notes.append('%s: nDPI %s (%s), ours %s (rules %s): %s' % (name[:-4], app, confidence, platform, r.get('rules'), text))
    total = sum(v[0] for v in per.values())
    agree = sum(v[1] for v in per.values())
    print('%-16s %6s %6s %8s' % ('platform', 'nDPI', 'same', 'share'))
    for platform in sorted(per):
        n, same = per[platform]
        print('%-16s %6d %6d %7.1f%%' % (platform, n, same, 100.0 * same / n))
    print('%-16s %6d %6d %7.1f%%' % ('TOTAL', total, agree, 100.0 * agree / max(total, 1)))
    print('flows nDPI labels as another application: %d, given a platform by us: %d (%.2f%%)' % (other_total, other_labelled, 100.0 * other_labelled / max(other_total, 1)))
    print('flows nDPI names only by carrier protocol (TLS, DNS, QUIC, STUN, ICMP…): %d, labelled by us: %d %s'
          % (carrier_total, sum(carrier_labelled.values()), dict(carrier_labelled)))
    print('flows nDPI leaves Unknown: %d, labelled by us: %d %s' % (unknown_total, sum(unknown_labelled.values()), dict(unknown_labelled)))
    for note in notes if verbose else notes[:30]:
        print('  ' + note)
    print('disagreements explained (nDPI wrong or unsupported, see PeerPlatformTests): %d; agreement counting them: %.1f%%'
          % (explained, 100.0 * (agree + explained) / max(total, 1)))
    ok = agree + explained >= 0.97 * total and other_labelled <= 0.01 * max(other_total, 1)
    return 0 if ok else 1

sys.exit(main())
