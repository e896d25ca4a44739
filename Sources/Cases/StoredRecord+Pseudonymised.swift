import Decoding
import Flows
import LogInput
import Reports

extension StoredRecordFormats {
    /// A stored record as `analyze --pseudonymise` would have written it: every text
    /// value through `map.mapText` (as `AddressMappingSink` does for every projection:
    /// the flow's addresses, tunnel ends, IP-literal names, answers, endpoints) and
    /// `community_id` recomputed from the mapped tuple. Keys, order and number texts
    /// are kept, strings re-quoted by the writer's own quoting, so the line is the one
    /// analyze writes. Nil when the record is not a flow record.
    public static func pseudonymised(_ record: String, by map: any AddressMap) -> String? {
        guard case .object(var members) = try? JSONParser.parse(Array(record.utf8)) else { return nil }
        members = members.map { ($0.0, mapped($0.1, by: map)) }
        let mappedRecord = JSONValue.object(members)
        if let index = members.firstIndex(where: { $0.0 == "community_id" }), let communityID = communityID(of: mappedRecord) {
            members[index].1 = .string(communityID)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(record.utf8.count + 16)
        write(.object(members), to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func mapped(_ value: JSONValue, by map: any AddressMap) -> JSONValue {
        switch value {
        case .string(let text): .string(map.mapText(text))
        case .array(let items): .array(items.map { mapped($0, by: map) })
        case .object(let members): .object(members.map { ($0.0, mapped($0.1, by: map)) })
        default: value
        }
    }

    /// The Community ID of a (mapped) record's tuple, as the flow table computes it.
    static func communityID(of record: JSONValue) -> String? {
        guard let proto = record["proto"]?.string.flatMap(StoredFlow.protocolNumber),
              let source = record["src_ip"]?.string.flatMap(IPAddress.init),
              let destination = record["dst_ip"]?.string.flatMap(IPAddress.init) else { return nil }
        func small<T: FixedWidthInteger>(_ name: String) -> T { record[name]?.integer.map { T(clamping: $0) } ?? 0 }
        return CommunityID.compute(proto: proto, source: source, destination: destination,
                                   sourcePort: small("src_port"), destinationPort: small("dst_port"),
                                   icmpType: small("icmp_type"), icmpCode: small("icmp_code"))
    }

    /// Compact JSON, as `JSONObject` writes it.
    static func write(_ value: JSONValue, to bytes: inout [UInt8]) {
        switch value {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text): bytes.append(contentsOf: text.utf8)
        case .string(let text): JSONObject.appendQuoted(text, to: &bytes)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(item, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONObject.appendQuoted(member.0, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                write(member.1, to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}
