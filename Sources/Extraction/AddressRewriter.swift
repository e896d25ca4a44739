import Decoding
import Reports

/// Rewrites the addresses of a captured frame through an `AddressMap` (pseudonymised
/// extraction) and makes its checksums valid again.
///
/// The IP header is found after the link layer (Ethernet with 802.1Q/802.1ad tags,
/// Linux SLL/SLL2, BSD null/loop, raw IP); IP-in-IP and IPv6-in-IP inner headers are
/// rewritten too. Checksums: the IPv4 header checksum is recomputed; a TCP, UDP or
/// ICMPv6 checksum is recomputed over its pseudo-header when the whole datagram is in
/// the frame (unfragmented, not truncated), else adjusted for the changed addresses
/// (RFC 1624: right for a first fragment or a truncated frame whose checksum was
/// right). A UDP checksum of 0 over IPv4 (none) stays 0.
///
/// Not handled, refused with an error (never copied with real addresses): frames whose
/// IP header is behind another encapsulation (MPLS, PPPoE, GRE, VXLAN, GTP-U …).
enum AddressRewriter {
    /// Rewrites `frame` in place; false when no IP header was found where expected.
    static func rewrite(_ frame: inout [UInt8], linkType: Int32, map: any AddressMap) -> Bool {
        guard let start = networkStart(frame, linkType: linkType) else { return false }
        return rewriteIP(&frame, at: start, map: map, depth: 0)
    }

    /// Where the IP header starts after the link layer, nil when it is not IP.
    static func networkStart(_ frame: [UInt8], linkType: Int32) -> Int? {
        func ethertype(_ at: Int) -> UInt16? { at + 2 <= frame.count ? UInt16(frame[at]) << 8 | UInt16(frame[at + 1]) : nil }
        func ip(_ type: UInt16?, _ at: Int) -> Int? { type == 0x0800 || type == 0x86DD ? at : nil }
        switch LinkType(rawValue: linkType) {
        case .ethernet:
            var at = 12
            while let type = ethertype(at), type == 0x8100 || type == 0x88A8 || type == 0x9100 { at += 4 }
            return ip(ethertype(at), at + 2)
        case .linuxSLL: return ip(ethertype(14), 16)
        case .linuxSLL2: return ip(ethertype(0), 20)
        case .null, .loop: return frame.count > 4 ? 4 : nil
        case .raw, .rawOpenBSD, .rawLinktype, .ipv4, .ipv6: return 0
        default: return nil
        }
    }

    private static func rewriteIP(_ frame: inout [UInt8], at start: Int, map: any AddressMap, depth: Int) -> Bool {
        guard start < frame.count, depth < 4 else { return false }
        switch frame[start] >> 4 {
        case 4: return rewriteIPv4(&frame, at: start, map: map, depth: depth)
        case 6: return rewriteIPv6(&frame, at: start, map: map, depth: depth)
        default: return false
        }
    }

    private static func rewriteIPv4(_ frame: inout [UInt8], at start: Int, map: any AddressMap, depth: Int) -> Bool {
        let headerLength = Int(frame[start] & 0x0F) * 4
        guard headerLength >= 20, start + headerLength <= frame.count else { return false }
        let old = Array(frame[(start + 12)..<(start + 20)])
        for offset in [12, 16] {
            let address = IPAddress(ipv4: read32(frame, start + offset))
            write32(&frame, start + offset, map.map(address).ipv4Value)
        }
        // The header checksum, recomputed.
        frame[start + 10] = 0
        frame[start + 11] = 0
        write16(&frame, start + 10, ~fold(sum(frame[start..<(start + headerLength)])))
        let totalLength = Int(read16(frame, start + 2))
        let fragment = read16(frame, start + 6)
        let firstFragment = fragment & 0x1FFF == 0
        let whole = firstFragment && fragment & 0x2000 == 0 && start + totalLength <= frame.count && totalLength >= headerLength
        let proto = frame[start + 9]
        let payload = start + headerLength
        if proto == IPProtocol.ipip || proto == IPProtocol.ipv6 {
            return firstFragment ? rewriteIP(&frame, at: payload, map: map, depth: depth + 1) : true
        }
        guard firstFragment else { return true }
        let new = Array(frame[(start + 12)..<(start + 20)])
        let end = whole ? start + totalLength : frame.count
        fixTransport(&frame, proto: proto, payload: payload, end: end, whole: whole, old: old, new: new, ipv4: true)
        return true
    }

    private static func rewriteIPv6(_ frame: inout [UInt8], at start: Int, map: any AddressMap, depth: Int) -> Bool {
        guard start + 40 <= frame.count else { return false }
        let old = Array(frame[(start + 8)..<(start + 40)])
        for offset in [8, 24] {
            var high: UInt64 = 0, low: UInt64 = 0
            for i in 0..<8 { high = high << 8 | UInt64(frame[start + offset + i]) }
            for i in 8..<16 { low = low << 8 | UInt64(frame[start + offset + i]) }
            let mapped = map.map(IPAddress(high: high, low: low))
            for i in 0..<8 { frame[start + offset + i] = UInt8(truncatingIfNeeded: mapped.high >> (56 - 8 * i)) }
            for i in 0..<8 { frame[start + offset + 8 + i] = UInt8(truncatingIfNeeded: mapped.low >> (56 - 8 * i)) }
        }
        let new = Array(frame[(start + 8)..<(start + 40)])
        // Past the extension headers that carry no payload of their own.
        var next = frame[start + 6]
        var at = start + 40
        var fragmented = false
        while at + 8 <= frame.count {
            switch next {
            case 0, 43, 60:
                next = frame[at]
                at += (Int(frame[at + 1]) + 1) * 8
                continue
            case 44:
                fragmented = true
                if read16(frame, at + 2) & 0xFFF8 != 0 { return true }  // not the first fragment
                next = frame[at]
                at += 8
                continue
            default: break
            }
            break
        }
        if next == IPProtocol.ipip || next == IPProtocol.ipv6 { return rewriteIP(&frame, at: at, map: map, depth: depth + 1) }
        let end = start + 40 + Int(read16(frame, start + 4))
        let whole = !fragmented && end <= frame.count
        fixTransport(&frame, proto: next, payload: at, end: whole ? end : frame.count, whole: whole, old: old, new: new, ipv4: false)
        return true
    }

    /// The TCP, UDP or ICMPv6 checksum after the addresses changed from `old` to `new`.
    private static func fixTransport(_ frame: inout [UInt8], proto: UInt8, payload: Int, end: Int, whole: Bool,
                                     old: [UInt8], new: [UInt8], ipv4: Bool) {
        let field: Int
        switch proto {
        case IPProtocol.tcp: field = payload + 16
        case IPProtocol.udp: field = payload + 6
        case IPProtocol.icmpv6 where !ipv4: field = payload + 2
        default: return
        }
        guard field + 2 <= frame.count, payload <= end else { return }
        let current = read16(frame, field)
        if proto == IPProtocol.udp && ipv4 && current == 0 { return }
        var checksum: UInt16
        if whole {
            frame[field] = 0
            frame[field + 1] = 0
            let length = end - payload
            var total = sum(new[...]) + UInt32(proto) + UInt32(length & 0xFFFF) + UInt32(length >> 16)
            total += sum(frame[payload..<end])
            checksum = ~fold(total)
        } else {
            // RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m').
            var total = UInt32(~current)
            for index in stride(from: 0, to: old.count, by: 2) {
                total += UInt32(~(UInt16(old[index]) << 8 | UInt16(old[index + 1])))
            }
            total += sum(new[...])
            checksum = ~fold(total)
        }
        if proto == IPProtocol.udp && checksum == 0 { checksum = 0xFFFF }
        write16(&frame, field, checksum)
    }

    /// The ones' complement sum of 16-bit big-endian words (a last odd byte padded with zero), unfolded.
    static func sum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var total: UInt32 = 0
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            total &+= UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            if total > 0x7FFF_FFFF { total = (total & 0xFFFF) + (total >> 16) }
            index += 2
        }
        if index < bytes.endIndex { total &+= UInt32(bytes[index]) << 8 }
        return total
    }

    static func fold(_ value: UInt32) -> UInt16 {
        var total = value
        while total > 0xFFFF { total = (total & 0xFFFF) + (total >> 16) }
        return UInt16(total)
    }

    static func read16(_ frame: [UInt8], _ at: Int) -> UInt16 { UInt16(frame[at]) << 8 | UInt16(frame[at + 1]) }

    static func read32(_ frame: [UInt8], _ at: Int) -> UInt32 {
        UInt32(frame[at]) << 24 | UInt32(frame[at + 1]) << 16 | UInt32(frame[at + 2]) << 8 | UInt32(frame[at + 3])
    }

    static func write16(_ frame: inout [UInt8], _ at: Int, _ value: UInt16) {
        frame[at] = UInt8(value >> 8)
        frame[at + 1] = UInt8(truncatingIfNeeded: value)
    }

    static func write32(_ frame: inout [UInt8], _ at: Int, _ value: UInt32) {
        for i in 0..<4 { frame[at + i] = UInt8(truncatingIfNeeded: value >> (24 - 8 * i)) }
    }
}
