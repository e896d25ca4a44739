import Decoding

/// The bidirectional key of a flow: the two endpoints in canonical order (lower
/// address/port first), the IP protocol and the VLAN tags. Ports are zero for
/// protocols without them; ICMP flows carry their message kind and identifier there
/// (`ICMPKeying`).
public struct FlowKey: Hashable, Sendable {
    public var lowAddress: IPAddress
    public var highAddress: IPAddress
    public var lowPort: UInt16
    public var highPort: UInt16
    public var proto: UInt8
    public var vlans: VLANTags

    /// The key of a packet, and whether its sender is the key's low endpoint. An ICMP
    /// message's ports are its kind and identifier (`ICMPKeying`), the same both ways;
    /// between one address and itself its requester is the low endpoint.
    @inline(__always)
    public init(packet: DecodedPacket, senderIsLow: inout Bool) {
        let sourceFirst: Bool
        if packet.proto == IPProtocol.icmp || packet.proto == IPProtocol.icmpv6 {
            let message = ICMPKeying.message(
                type: packet.icmpType, code: packet.icmpCode, identifier: packet.icmpIdentifier,
                v6: packet.proto == IPProtocol.icmpv6)
            sourceFirst = packet.source < packet.destination || (packet.source == packet.destination && !message.isReply)
            lowPort = message.detail
            highPort = message.kind
        } else {
            let ports = IPProtocol.hasPorts(packet.proto)
            let sourcePort = ports ? packet.sourcePort : 0
            let destinationPort = ports ? packet.destinationPort : 0
            sourceFirst = packet.source < packet.destination
                || (packet.source == packet.destination && sourcePort <= destinationPort)
            lowPort = sourceFirst ? sourcePort : destinationPort
            highPort = sourceFirst ? destinationPort : sourcePort
        }
        lowAddress = sourceFirst ? packet.source : packet.destination
        highAddress = sourceFirst ? packet.destination : packet.source
        senderIsLow = sourceFirst
        proto = packet.proto
        vlans = packet.vlans
    }

    public init(lowAddress: IPAddress, lowPort: UInt16, highAddress: IPAddress, highPort: UInt16, proto: UInt8, vlans: VLANTags = VLANTags()) {
        self.lowAddress = lowAddress
        self.highAddress = highAddress
        self.lowPort = lowPort
        self.highPort = highPort
        self.proto = proto
        self.vlans = vlans
    }

    /// A fast 64-bit mix of the key (symmetric by construction, since the key is
    /// canonical). Also used to partition flows.
    @inline(__always)
    public var hashValue64: UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        @inline(__always) func mix(_ value: UInt64) {
            h = (h ^ value) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 29
        }
        mix(lowAddress.high)
        mix(lowAddress.low)
        mix(highAddress.high)
        mix(highAddress.low)
        mix(UInt64(lowPort) << 48 | UInt64(highPort) << 32 | UInt64(proto) << 24 | UInt64(vlans.packed & 0xFF_FFFF))
        h = (h ^ (h >> 32)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}
