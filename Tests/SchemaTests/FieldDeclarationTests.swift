import Testing
import Schema

/// The declarations are the contract every projection derives from: these checks
/// catch a declaration that would give a malformed or renamed projection.
struct FieldDeclarationTests {
    let declarations = Field.allCases.map(\.declaration)

    @Test func namesAreUniqueAndWellFormed() {
        let names = declarations.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names {
            #expect(!name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == ".") }, "\(name)")
        }
    }

    @Test func nestedFieldsFollowTheirObject() {
        for (index, field) in Field.allCases.enumerated() {
            guard let parent = field.declaration.parent else { continue }
            let owner = Field(name: String(parent))
            #expect(owner != nil, "\(field.declaration.name): no field \(parent)")
            guard let owner else { continue }
            #expect([FieldKind.object, .objects].contains(owner.declaration.kind), "\(parent) is not an object")
            #expect(owner.rawValue < index, "\(field.declaration.name) is declared before its object")
        }
    }

    /// EVE and ECS paths: dotted, at most one `[]`; a member's `x[].y` path sits in
    /// the array its list field declares (`x[]`); object fields have none (their
    /// members place themselves); nothing is declared under `cipherscope.` except
    /// in a list the field's own list mirrors there.
    @Test func eveAndECSPathsAreWellFormed() {
        for field in Field.allCases {
            let declaration = field.declaration
            for (format, paths) in [("eve", declaration.eve.paths), ("ecs", declaration.ecs.paths)] {
                if declaration.kind == .object { #expect(paths.isEmpty, "\(declaration.name): an object has no \(format) path") }
                for path in paths {
                    let components = path.split(separator: ".", omittingEmptySubsequences: false)
                    let emptyComponent = components.contains { $0.isEmpty }
                    let arrays = components.filter { $0.hasSuffix("[]") }.count
                    let strayBracket = components.contains { $0.dropLast(2).contains("[") || $0.dropLast(2).contains("]") }
                    #expect(!emptyComponent && arrays <= 1 && !strayBracket, "\(declaration.name): \(format) path \(path)")
                    guard let marker = components.firstIndex(where: { $0.hasSuffix("[]") }), marker < components.count - 1 else { continue }
                    let array = components[...marker].joined(separator: ".")
                    if array.hasPrefix("cipherscope.") { continue }
                    let list = declaration.parent.flatMap { Field(name: String($0)) }
                    let listPaths = list.map { format == "eve" ? $0.declaration.eve.paths : $0.declaration.ecs.paths } ?? []
                    #expect(listPaths.contains(array), "\(declaration.name): \(format) path \(path) is not in its list's array")
                }
            }
        }
    }

    @Test func ruleNamesAreUniqueAndTextFieldsFitTheMask() {
        let ruleFields = Field.allCases.filter { $0.declaration.rule != nil }
        let names = ruleFields.map(\.ruleName)
        #expect(Set(names).count == names.count)
        let textFields = ruleFields.filter { $0.declaration.rule == .text || $0.declaration.rule == .domain }
        #expect(textFields.count <= 64, "FlowFacts keeps text fields in a 64-bit mask")
    }

    /// Names partners' rule packs and scripts use: extend, never rename.
    @Test func ruleFieldContractHolds() {
        let contract = [
            "any_ip", "any_port", "app_proto", "dns.answers", "dns.queries", "dns.rcode", "dns_name", "dst_ip", "dst_port",
            "end_reason", "framings", "http.host", "http.ja4h", "http.method", "http.target", "http.user_agent", "ip_version",
            "mtproto.dc_id", "mtproto.transport", "proto", "quic.version", "rtp.payload_types", "src_ip", "src_port",
            "ssh.client_banner", "ssh.hassh", "ssh.hassh_server", "ssh.ja4ssh", "ssh.server_banner", "stun.attributes",
            "stun.methods", "stun.realm", "stun.software", "tcp.ja4t", "tcp.ja4ts", "tcp_handshake", "tls.alpn",
            "tls.alpn_selected", "tls.certificates.issuer", "tls.certificates.ja4x", "tls.certificates.san",
            "tls.certificates.serial", "tls.certificates.sha256", "tls.certificates.subject", "tls.cipher", "tls.ech",
            "tls.ja3", "tls.ja3s", "tls.ja4", "tls.ja4_r", "tls.ja4s", "tls.ja4s_r", "tls.sni", "tls.version", "tunnel.type",
            "packets_c2s", "packets_s2c", "bytes_c2s", "bytes_s2c", "payload_c2s", "payload_s2c", "duration_ms",
        ]
        for name in contract { #expect(Field(ruleName: name) != nil, "rule field \(name) is gone") }
    }

    /// The CSV columns of earlier versions come first, in their order.
    @Test func csvKeepsItsFirstColumns() {
        let columns = Field.csvColumns.map { $0.declaration.csvColumn! }
        let historical = [
            "flow_id", "community_id", "proto", "src_ip", "src_port", "dst_ip", "dst_port", "vlan", "tunnel",
            "first_seen", "last_seen", "duration", "packets_c2s", "packets_s2c", "bytes_c2s", "bytes_s2c",
            "payload_c2s", "payload_s2c", "end_reason", "source_file", "first_frame",
        ]
        #expect(Array(columns.prefix(historical.count)) == historical)
        for column in ["app_proto", "platform", "service", "confidence", "activity", "tls.sni", "tls.ja3", "tls.ja4",
                       "tls.ja4s", "quic.version", "dns_name", "http.host", "ssh.hassh"] {
            #expect(columns.contains(column), "CSV lacks \(column)")
        }
    }

    @Test func headlineRanksAreDistinct() {
        let ranks = declarations.map(\.headline).filter { $0 > 0 }
        #expect(Set(ranks).count == ranks.count)
    }

    @Test func protocolsHaveTheirWireNames() {
        #expect(AppProtocol.whatsappNoise.name == "whatsapp-noise")
        #expect(AppProtocol(rawValue: "tls") == .tls)
        #expect(Set(AppProtocol.allCases.map(\.name)).count == AppProtocol.allCases.count)
    }
}
