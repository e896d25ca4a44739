import Crypto
import Decoding

/// Community ID v1 flow hashing (corelight/community-id-spec), as Zeek and
/// Suricata compute it, including their pairing of ICMP request/reply types.
public enum CommunityID {
    /// ICMP and ICMPv6 types that have a counterpart; others are one-way.
    static func pairedType(_ type: UInt8, v6: Bool) -> UInt8? {
        if v6 {
            switch type {
            case 128: 129
            case 129: 128
            case 130: 131
            case 131: 130
            case 133: 134
            case 134: 133
            case 135: 136
            case 136: 135
            case 139: 140
            case 140: 139
            case 144: 145
            case 145: 144
            default: nil
            }
        } else {
            switch type {
            case 8: 0
            case 0: 8
            case 13: 14
            case 14: 13
            case 15: 16
            case 16: 15
            case 10: 9
            case 9: 10
            case 17: 18
            case 18: 17
            default: nil
            }
        }
    }

    /// The Community ID string ("1:" + base64 SHA-1) of a flow seen from its initiator.
    /// For ICMP, `sourcePort`/`destinationPort` are ignored and the initiator's first
    /// message type and code are used as the spec prescribes.
    public static func compute(
        proto: UInt8, source: IPAddress, destination: IPAddress,
        sourcePort: UInt16, destinationPort: UInt16,
        icmpType: UInt8 = 0, icmpCode: UInt8 = 0, seed: UInt16 = 0
    ) -> String {
        var sport = sourcePort
        var dport = destinationPort
        var oneWay = false
        let hasPorts: Bool
        switch proto {
        case IPProtocol.tcp, IPProtocol.udp, IPProtocol.sctp:
            hasPorts = true
        case IPProtocol.icmp, IPProtocol.icmpv6:
            hasPorts = true
            sport = UInt16(icmpType)
            if let paired = pairedType(icmpType, v6: proto == IPProtocol.icmpv6) {
                dport = UInt16(paired)
            } else {
                dport = UInt16(icmpCode)
                oneWay = true
            }
        default:
            hasPorts = false
        }
        var a = source, b = destination
        if !oneWay && (b < a || (a == b && hasPorts && dport < sport)) {
            swap(&a, &b)
            swap(&sport, &dport)
        }
        // seed, both addresses, proto, 0, ports: at most 2 + 32 + 2 + 4 bytes, on the stack
        // (every flow record carries one).
        var input: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        let digest = withUnsafeMutableBytes(of: &input) { buffer -> Insecure.SHA1Digest in
            var at = 0
            func put(_ byte: UInt8) { buffer[at] = byte; at += 1 }
            func put(_ address: IPAddress) {
                if address.isIPv4 {
                    let v = address.ipv4Value
                    for shift in stride(from: 24, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
                } else {
                    for shift in stride(from: 56, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: address.high >> UInt64(shift))) }
                    for shift in stride(from: 56, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: address.low >> UInt64(shift))) }
                }
            }
            put(UInt8(seed >> 8)); put(UInt8(seed & 0xFF))
            put(a); put(b)
            put(proto); put(0)
            if hasPorts {
                put(UInt8(sport >> 8)); put(UInt8(sport & 0xFF)); put(UInt8(dport >> 8)); put(UInt8(dport & 0xFF))
            }
            return Insecure.SHA1.hash(data: UnsafeRawBufferPointer(rebasing: buffer[0..<at]))
        }
        return digest.withUnsafeBytes { "1:" + base64($0) }
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64<Bytes: RandomAccessCollection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8, Bytes.Index == Int {
        let count = bytes.count
        return String(unsafeUninitializedCapacity: (count + 2) / 3 * 4) { out in
            var i = 0, at = 0
            let start = bytes.startIndex
            while i < count {
                let b0 = UInt32(bytes[start + i])
                let b1 = i + 1 < count ? UInt32(bytes[start + i + 1]) : 0
                let b2 = i + 2 < count ? UInt32(bytes[start + i + 2]) : 0
                let triple = b0 << 16 | b1 << 8 | b2
                out[at] = alphabet[Int(triple >> 18 & 63)]
                out[at + 1] = alphabet[Int(triple >> 12 & 63)]
                out[at + 2] = i + 1 < count ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "=")
                out[at + 3] = i + 2 < count ? alphabet[Int(triple & 63)] : UInt8(ascii: "=")
                i += 3
                at += 4
            }
            return at
        }
    }
}
