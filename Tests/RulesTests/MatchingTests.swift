import Testing
@testable import Rules

@Suite struct MatchingTests {
    @Test func suffixMatchesOnLabelBoundariesOnly() throws {
        let set = try compile(ruleYAML("sni", id: 1, match: "      tls.sni: {suffix: signal.org}"))
        #expect(names(set.classify(facts(text: ["tls.sni": ["chat.signal.org"]]))) == ["sni"])
        #expect(names(set.classify(facts(text: ["tls.sni": ["signal.org"]]))) == ["sni"])
        #expect(names(set.classify(facts(text: ["tls.sni": ["CHAT.Signal.ORG."]]))) == ["sni"])
        #expect(set.classify(facts(text: ["tls.sni": ["notsignal.org"]])).isEmpty)
        #expect(set.classify(facts(text: ["tls.sni": ["signal.org.evil.net"]])).isEmpty)
        let match = try #require(set.classify(facts(text: ["tls.sni": ["chat.signal.org"]])).first)
        #expect(match.evidence == [Evidence(field: "tls.sni", value: "chat.signal.org", rule: "sni", condition: "suffix signal.org")])
        #expect(match.rule.pack.id == "org.example.test" && match.rule.pack.version == "1.0.0")
    }

    @Test func textModes() throws {
        let set = try compile(
            ruleYAML("exact", id: 1, match: "      http.host: {exact: [a.example.net, b.example.net]}")
            + ruleYAML("prefix", id: 2, match: "      tls.ja4: {prefix: t13d1516h2_}")
            + ruleYAML("suffix-text", id: 3, match: "      stun.software: {suffix: \"-relay\"}")
            + ruleYAML("contains", id: 4, match: "      tls.certificates.issuer: {contains: \"O=Example\"}")
            + ruleYAML("regex", id: 5, match: "      dns.queries: {regex: '^(chat|media)[0-9]{1,3}\\.example\\.net$'}")
            + ruleYAML("app", id: 6, match: "      app_proto: {exact: mtproto}")
            + ruleYAML("proto", id: 7, match: "      all:\n        - proto: {exact: udp}\n        - mtproto.transport: {prefix: obfuscated2/}"))
        #expect(names(set.classify(facts(text: ["http.host": ["b.example.net"]]))) == ["exact"])
        #expect(set.classify(facts(text: ["http.host": ["c.example.net"]])).isEmpty)
        #expect(names(set.classify(facts(text: ["tls.ja4": ["t13d1516h2_8daaf6152771_e5627efa2ab1"]]))) == ["prefix"])
        #expect(set.classify(facts(text: ["tls.ja4": ["t13d1517h2_8daaf6152771_e5627efa2ab1"]])).isEmpty)
        #expect(names(set.classify(facts(text: ["stun.software": ["acme-relay"]]))) == ["suffix-text"])
        #expect(names(set.classify(facts(text: ["tls.certificates.issuer": ["CN=CA 1,O=Example Ltd"]]))) == ["contains"])
        #expect(names(set.classify(facts(text: ["dns.queries": ["x.org", "Media42.example.net"]]))) == ["regex"])
        #expect(set.classify(facts(text: ["dns.queries": ["media4242.example.net"]])).isEmpty)
        #expect(names(set.classify(facts(app: "mtproto"))) == ["app"])
        #expect(names(set.classify(facts(proto: "udp", text: ["mtproto.transport": ["obfuscated2/intermediate"]]))) == ["proto"])
        #expect(set.classify(facts(proto: "tcp", text: ["mtproto.transport": ["obfuscated2/intermediate"]])).isEmpty)
    }

    @Test func portsAndNumbers() throws {
        let set = try compile(
            ruleYAML("dst", id: 1, match: "      dst_port: {exact: 5222}")
            + ruleYAML("src-range", id: 2, match: "      src_port: {range: 3478-3481}")
            + ruleYAML("any", id: 3, match: "      any_port: {exact: [8801]}")
            + ruleYAML("stun", id: 4, match: "      stun.attributes: {exact: 0x8022}")
            + ruleYAML("wide", id: 5, match: "      dst_port: {range: 10000-60000}"))
        #expect(names(set.classify(facts(dport: 5222))) == ["dst"])
        #expect(names(set.classify(facts(sport: 3480))) == ["src-range"])
        #expect(names(set.classify(facts(sport: 8801, dport: 1))) == ["any"])
        #expect(names(set.classify(facts(dport: 8801))) == ["any"])
        #expect(names(set.classify(facts(stun: [0x0001, 0x8022]))) == ["stun"])
        #expect(names(set.classify(facts(dport: 20000))) == ["wide"])
        #expect(set.classify(facts(sport: 3482, dport: 9999)).isEmpty)
    }

    @Test func cidrLongestPrefixBothFamilies() throws {
        let set = try compile(
            ruleYAML("v4-short", id: 1, match: "      dst_ip: {cidr: 203.0.113.0/24}")
            + ruleYAML("v4-long", id: 2, match: "      dst_ip: {cidr: [203.0.113.128/25, 192.0.2.7]}")
            + ruleYAML("v6", id: 3, match: "      any_ip: {cidr: \"2001:db8::/32\"}")
            + ruleYAML("v6-long", id: 4, match: "      src_ip: {cidr: \"2001:db8:1::/48\"}"))
        #expect(names(set.classify(facts(dst: "203.0.113.200"))) == ["v4-long", "v4-short"])
        #expect(names(set.classify(facts(dst: "203.0.113.5"))) == ["v4-short"])
        #expect(names(set.classify(facts(dst: "192.0.2.7"))) == ["v4-long"])
        #expect(set.classify(facts(dst: "192.0.2.8")).isEmpty)
        #expect(names(set.classify(facts(src: "2001:db8:1::5", dst: "2001:db8:2::1"))) == ["v6-long", "v6"])
        #expect(names(set.classify(facts(src: "2001:db9::1", dst: "2001:db8:ffff::1"))) == ["v6"])
        // An IPv4 prefix never contains IPv6 addresses and the reverse.
        #expect(set.classify(facts(src: "::ffff:1:2", dst: "2001:db9::1")).isEmpty)
        let m = try #require(set.classify(facts(dst: "203.0.113.200")).first)
        #expect(m.evidence.first?.condition == "cidr 203.0.113.128/25")
    }

    @Test func booleanComposition() throws {
        let set = try compile(ruleYAML("combo", id: 1, match: """
                  all:
                    - any:
                        - tls.sni: {suffix: whatsapp.net}
                        - dns_name: {suffix: whatsapp.net}
                    - not:
                        dst_port: {exact: 80}
                    - not:
                        - proto: {exact: icmp}
                        - tls.sni: {exact: static.whatsapp.net}
            """, extra: ""))
        #expect(names(set.classify(facts(text: ["dns_name": ["g.whatsapp.net"]]))) == ["combo"])
        #expect(set.classify(facts(dport: 80, text: ["dns_name": ["g.whatsapp.net"]])).isEmpty)
        #expect(set.classify(facts(text: ["tls.sni": ["static.whatsapp.net"]])).isEmpty)
        let both = try #require(set.classify(facts(text: ["tls.sni": ["e1.whatsapp.net"], "dns_name": ["e1.whatsapp.net"]])).first)
        #expect(both.evidence.map(\.field) == ["tls.sni", "dns_name"])
        // Several keys in one mapping mean all of them.
        let implicit = try compile(ruleYAML("implicit", id: 2, match: "      tls.sni: {suffix: example.net}\n      dst_port: {exact: 443}"))
        #expect(names(implicit.classify(facts(text: ["tls.sni": ["a.example.net"]]))) == ["implicit"])
        #expect(implicit.classify(facts(dport: 444, text: ["tls.sni": ["a.example.net"]])).isEmpty)
    }

    @Test func payloadWildcards() throws {
        let set = try compile(
            ruleYAML("tls", id: 1, match: "      payload: {direction: c2s, hex: \"16 03 ?? ?? ?? 01\"}")
            + ruleYAML("offset", id: 2, match: "      payload: {direction: s2c, offset: 4, hex: \"ef??be\"}")
            + ruleYAML("anydir", id: 3, match: "      payload: {hex: \"57 41\"}"))
        let hello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]
        #expect(names(set.classify(facts(payload: [hello, []]))) == ["tls"])
        #expect(set.classify(facts(payload: [[], hello])).isEmpty)
        #expect(set.classify(facts(payload: [[0x16, 0x03, 0x01, 0x02, 0x00, 0x02], []])).isEmpty)
        #expect(set.classify(facts(payload: [[0x16, 0x03], []])).isEmpty)
        #expect(names(set.classify(facts(payload: [[], [0, 0, 0, 0, 0xEF, 0x99, 0xBE]]))) == ["offset"])
        #expect(names(set.classify(facts(payload: [[], [0x57, 0x41, 1]]))) == ["anydir"])
        let m = try #require(set.classify(facts(payload: [hello, []])).first)
        #expect(m.evidence[0].field == "payload.c2s" && m.evidence[0].value == "16 03 01 02 00 01")
    }

    @Test func sequencesAndCounters() throws {
        let set = try compile(
            ruleYAML("seq", id: 1, match: "      sequence: [\"c2s:48\", \"s2c:80\", \"c2s:100-200\"]")
            + ruleYAML("seq-anywhere", id: 2, match: "      sequence: {steps: [\"any:33\", \"s2c:33\"], anywhere: true}")
            + ruleYAML("count", id: 3, match: "      all:\n        - counter: {name: packets_c2s, min: 10, max: 20}\n        - dst_port: {exact: 3478}"))
        #expect(names(set.classify(facts(lengths: [48, -80, 150, 9]))) == ["seq"])
        #expect(set.classify(facts(lengths: [48, -80, 201])).isEmpty)
        #expect(set.classify(facts(lengths: [48, 80, 150])).isEmpty)
        #expect(names(set.classify(facts(lengths: [1, 2, -33, -33]))) == ["seq-anywhere"])
        #expect(names(set.classify(facts(dport: 3478, counters: ["packets_c2s": 15]))) == ["count"])
        #expect(set.classify(facts(dport: 3478, counters: ["packets_c2s": 21])).isEmpty)
        #expect(set.classify(facts(dport: 3478)).isEmpty)
        #expect(set.alwaysCheckedRules == ["seq-anywhere"])
    }

    @Test func listFiles() throws {
        let set = try compile(
            ruleYAML("domains", id: 1, match: "      tls.sni: {suffix: {list: domains.txt}}")
            + ruleYAML("nets", id: 2, match: "      dst_ip: {cidr: {list: nets.txt}}"),
            extra: ["lists/domains.txt": "# comment\n  signal.org   # trailing\n\n*.whispersystems.org\n",
                    "nets.txt": "203.0.113.0/24\r\n2001:db8::/32 # v6\n"])
        #expect(names(set.classify(facts(text: ["tls.sni": ["x.whispersystems.org"]]))) == ["domains"])
        #expect(names(set.classify(facts(text: ["tls.sni": ["signal.org"]]))) == ["domains"])
        #expect(names(set.classify(facts(dst: "2001:db8::9"))) == ["nets"])
        let error = try #require(try loadError(ruleYAML("bad", id: 1, match: "      dst_ip: {cidr: {list: nets.txt}}"),
                                               extra: ["lists/nets.txt": "203.0.113.0/24\n  300.1.2.3/8\n"]))
        #expect(error.file.hasSuffix("lists/nets.txt") && error.line == 2 && error.column == 3)
    }

    @Test func orderingIsDeterministic() throws {
        let set = try compile(
            ruleYAML("b-port", id: 1, confidence: "high", match: "      dst_port: {exact: 443}")
            + ruleYAML("a-port", id: 2, confidence: "high", match: "      dst_port: {exact: 443}")
            + ruleYAML("low-exact", id: 3, confidence: "low", match: "      tls.sni: {exact: a.b.example.net}")
            + ruleYAML("suffix-2", id: 4, confidence: "high", match: "      tls.sni: {suffix: example.net}")
            + ruleYAML("suffix-3", id: 5, confidence: "high", match: "      tls.sni: {suffix: b.example.net}")
            + ruleYAML("exact", id: 6, confidence: "high", match: "      tls.sni: {exact: a.b.example.net}")
            + ruleYAML("cidr", id: 7, confidence: "high", match: "      dst_ip: {cidr: 198.51.100.0/24}")
            + ruleYAML("two", id: 8, confidence: "medium", match: "      tls.sni: {suffix: example.net}\n      dst_port: {exact: 443}"))
        let f = facts(text: ["tls.sni": ["a.b.example.net"]])
        let expected = ["exact", "suffix-3", "suffix-2", "cidr", "a-port", "b-port", "two", "low-exact"]
        for _ in 0..<5 { #expect(names(set.classify(f)) == expected) }
        #expect(names(set.classifyEvaluatingEveryRule(f)) == expected)
    }

    @Test func tlpMostRestrictiveWins() throws {
        let set = try compile(
            ruleYAML("own", id: 1, match: "      dst_port: {exact: 1}", extra: "    tlp: red\n")
            + ruleYAML("lower", id: 2, match: "      dst_port: {exact: 2}", extra: "    tlp: clear\n")
            + ruleYAML("none", id: 3, match: "      dst_port: {exact: 3}"))
        #expect(set.rule("own")?.tlp == .red)
        #expect(set.rule("lower")?.tlp == .green)
        #expect(set.rule("none")?.tlp == .green)
        #expect(TLP(marking: "TLP:AMBER+STRICT") == .amberStrict && TLP.amberStrict > .amber && TLP(marking: "white") == .clear)
    }

    /// The required-start check in front of the simulation never changes an answer.
    @Test func regexStartCheckAgreesWithTheSimulation() throws {
        let patterns = ["^turn[0-9]+\\.[a-z0-9-]+\\.prod\\.wire\\.com$", "^e[0-9]{1,2}\\.whatsapp\\.net$", "^(ds\\.)?[gw]-[a-z0-9]+\\.0\\.threema\\.ch$",
                        "^blob(p|-mirror)-[a-z0-9-]+\\.threema\\.ch$", "^ab|cd", "^a?b", "^(ab)+c", "^abc", "abc$", "^", "b+c"]
        let texts = ["", "a", "ab", "abc", "abcd", "xabc", "cd", "b", "bc", "ababc", "turn12.eu-1.prod.wire.com", "turn.prod.wire.com",
                     "e7.whatsapp.net", "E12.WhatsApp.net", "e123.whatsapp.net", "ds.g-abc.0.threema.ch", "blob-mirror-x1.threema.ch", "blobp-1.threema.ch"]
        var refused = 0
        for pattern in patterns {
            for caseInsensitive in [false, true] {
                let regex = try SafeRegex(pattern, caseInsensitive: caseInsensitive)
                if !regex.requiredStart.isEmpty { refused += 1 }
                for text in texts {
                    #expect(regex.matches(text) == regex.matchesCountingSteps(text).matched, "\(pattern) on \(text)")
                }
            }
        }
        #expect(refused >= 10, "the anchored patterns have a required start")
    }
}
