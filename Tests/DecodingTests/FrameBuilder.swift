// Builds frames byte by byte for decoder tests.

struct FrameBuilder {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes += [UInt8(v >> 8), UInt8(v & 0xFF)] }
    mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) }
    mutating func raw(_ b: [UInt8]) { bytes += b }

    static func ethernet(type: UInt16, vlans: [(UInt16, UInt16)] = []) -> FrameBuilder {
        var f = FrameBuilder()
        f.raw([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        for (tpid, id) in vlans { f.u16(tpid); f.u16(id) }
        f.u16(type)
        return f
    }

    /// An IPv4 header (no options unless given) for `payload` bytes that follow.
    static func ipv4(proto: UInt8, src: UInt32, dst: UInt32, payloadLength: Int, id: UInt16 = 1, flagsOffset: UInt16 = 0, options: [UInt8] = []) -> [UInt8] {
        var f = FrameBuilder()
        let ihl = 5 + options.count / 4
        f.u8(0x40 | UInt8(ihl)); f.u8(0)
        f.u16(UInt16(ihl * 4 + payloadLength))
        f.u16(id); f.u16(flagsOffset)
        f.u8(64); f.u8(proto); f.u16(0)
        f.u32(src); f.u32(dst)
        f.raw(options)
        return f.bytes
    }

    static func ipv6(next: UInt8, src: [UInt8], dst: [UInt8], payloadLength: Int) -> [UInt8] {
        var f = FrameBuilder()
        f.u32(0x6000_0000)
        f.u16(UInt16(payloadLength)); f.u8(next); f.u8(64)
        f.raw(src); f.raw(dst)
        return f.bytes
    }

    static func udp(_ sport: UInt16, _ dport: UInt16, payload: [UInt8]) -> [UInt8] {
        var f = FrameBuilder()
        f.u16(sport); f.u16(dport); f.u16(UInt16(8 + payload.count)); f.u16(0)
        f.raw(payload)
        return f.bytes
    }

    static func tcp(_ sport: UInt16, _ dport: UInt16, flags: UInt8, seq: UInt32 = 1, payload: [UInt8] = []) -> [UInt8] {
        var f = FrameBuilder()
        f.u16(sport); f.u16(dport); f.u32(seq); f.u32(0)
        f.u8(0x50); f.u8(flags); f.u16(65535); f.u16(0); f.u16(0)
        f.raw(payload)
        return f.bytes
    }
}

func v6(_ last: UInt8) -> [UInt8] { [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [last] }
