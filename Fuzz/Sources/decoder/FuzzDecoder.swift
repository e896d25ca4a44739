import Decoding
import FuzzSupport

// Input: one byte choosing the link type, then frames, each with a 2-byte length
// in front, decoded in order by one decoder (so fragments can meet and complete).
// Small fragment limits so the limit and eviction paths are reached.

let linkTypes: [LinkType] = [
    .ethernet, .linuxSLL, .linuxSLL2, .raw, .rawLinktype, .ipv4, .ipv6, .null, .loop, .rawOpenBSD, LinkType(rawValue: 147),
    .ppp, .pppHDLC, .cHDLC, .nflog, .ieee80211, .ieee80211Radiotap,
]

nonisolated(unsafe) var decoder: PacketDecoder = {
    var limits = FragmentReassembler.Limits()
    limits.maxDatagrams = 8
    limits.maxBytes = 64 << 10
    limits.maxFragmentsPerDatagram = 16
    limits.timeoutNanoseconds = 2_000_000_000
    return PacketDecoder(fragmentLimits: limits)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let linkType = linkTypes[Int(input.u8()) % linkTypes.count]
    var packet = DecodedPacket()
    var time: Int64 = 1_000_000_000
    var tag: UInt64 = 0
    for frame in input.chunks(limit: 64) {
        tag += 1
        time += Int64(frame.first ?? 0) * 100_000_000
        let outcome = withExactBuffer(frame) { bytes -> DecodeOutcome in
            let outcome = decoder.decode(bytes, linkType: linkType, tag: tag, time: time, into: &packet)
            if outcome == .packet {
                // The views must lie inside the frame or the reassembled datagram: ASan checks the reads.
                consume(touch(packet.payload) &+ touch(packet.tcpOptions))
            }
            return outcome
        }
        consume(outcome)
    }
    // Flush between inputs so state never leaks from one input into the next.
    decoder.reassembler.flush()
    return 0
}
