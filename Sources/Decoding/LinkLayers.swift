/// The PPP header as RFC 1661/1662 allow it on the wire: the HDLC address and
/// control bytes (FF 03) may be omitted (ACFC), and a protocol number whose first
/// byte is odd is sent as that one byte (PFC).
enum PPPHeader {
    /// The protocol and the bytes after it; nil when the header is cut short.
    static func split(_ bytes: UnsafeRawBufferPointer) -> (UInt16, UnsafeRawBufferPointer)? {
        var ppp = bytes
        if ppp.count >= 2 && ppp.u8(0) == 0xFF && ppp.u8(1) == 0x03 { ppp = ppp.tail(from: 2) }
        guard ppp.count >= 1 else { return nil }
        if ppp.u8(0) & 1 == 1 { return (UInt16(ppp.u8(0)), ppp.tail(from: 1)) }
        guard ppp.count >= 2 else { return nil }
        return (ppp.u16(0), ppp.tail(from: 2))
    }
}

/// Link layers other than Ethernet and the Linux/BSD pseudo-headers, as libpcap
/// defines them (https://www.tcpdump.org/linktypes.html).
extension Layers {
    // MARK: PPP and HDLC

    /// LINKTYPE_PPP: PPP, with or without the HDLC address and control bytes.
    mutating func pppFrame(_ frame: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard enter() else { return .failed(.tooManyLayers) }
        guard let (proto, body) = PPPHeader.split(frame) else { return .failed(.truncatedLinkHeader) }
        return ppp(protocol: proto, body, into: &packet, decoder: decoder)
    }

    /// LINKTYPE_PPP_HDLC (DLT_PPP_SERIAL): PPP in HDLC-like framing (first byte FF),
    /// or Cisco HDLC framing on a PPP link (first byte 0F or 8F, RFC 1547 §4.3.1).
    mutating func hdlcFrame(_ frame: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard frame.count >= 1 else { return .failed(.truncatedLinkHeader) }
        switch frame.u8(0) {
        case 0x0F, 0x8F: return ciscoHDLC(frame, into: &packet, decoder: decoder)
        default: return pppFrame(frame, into: &packet, decoder: decoder)
        }
    }

    /// LINKTYPE_C_HDLC: address (0F unicast, 8F broadcast), control, an EtherType.
    mutating func ciscoHDLC(_ frame: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard enter() else { return .failed(.tooManyLayers) }
        guard frame.count >= 4 else { return .failed(.truncatedLinkHeader) }
        guard frame.u8(0) == 0x0F || frame.u8(0) == 0x8F else { return .failed(.badHDLCHeader) }
        let proto = frame.u16(2)
        if proto == 0x8035 { return .nonIP(.ciscoSLARP) }
        return etherType(proto, frame.tail(from: 4), into: &packet, decoder: decoder)
    }

    // MARK: 802.2 LLC

    /// An 802.2 LLC frame: only SNAP with an EtherType (OUI 00-00-00, or 00-00-F8
    /// for 802.1H bridge tunnelling) carries IP; anything else is counted as LLC.
    mutating func llc(_ body: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard body.count >= 8, body.u8(0) == 0xAA, body.u8(1) == 0xAA, body.u8(2) == 0x03,
              body.u8(3) == 0, body.u8(4) == 0, body.u8(5) == 0 || body.u8(5) == 0xF8
        else { return .nonIP(.llc) }
        return etherType(body.u16(6), body.tail(from: 8), into: &packet, decoder: decoder)
    }

    // MARK: Linux NFLOG

    /// LINKTYPE_NFLOG: family, version, resource id, then TLVs (length including
    /// the 4-byte header, padded to 4 bytes) in the capturing host's byte order;
    /// the packet is the NFULA_PAYLOAD attribute (type 9), starting at its IP header.
    mutating func nflog(_ frame: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard enter() else { return .failed(.tooManyLayers) }
        guard frame.count >= 4 else { return .failed(.truncatedNFLOG) }
        let family = frame.u8(0)
        // libpcap hands the TLVs over in the reader's order (little-endian here);
        // a first length that only makes sense big-endian means a foreign writer.
        var bigEndian = false
        if frame.count >= 8 {
            let little = Int(frame.u16le(4)), big = Int(frame.u16(4))
            bigEndian = !(4...(frame.count - 4)).contains(little) && (4...(frame.count - 4)).contains(big)
        }
        var offset = 4
        while offset < frame.count {
            guard frame.count - offset >= 4 else { return .failed(.truncatedNFLOG) }
            let length = Int(bigEndian ? frame.u16(offset) : frame.u16le(offset))
            let type = (bigEndian ? frame.u16(offset + 2) : frame.u16le(offset + 2)) & 0x7FFF
            guard length >= 4 else { return .failed(.badNFLOGAttribute) }
            if type == 9 {
                // The payload may be cut by the snap length; IP decoding sees what is there.
                let payload = frame.slice(from: offset + 4, length: length - 4)
                switch family {
                case 2: return ipv4(payload, into: &packet, decoder: decoder)
                case 10: return ipv6(payload, into: &packet, decoder: decoder)
                case 0, 7: return ipByVersion(payload, into: &packet, decoder: decoder)
                default: return .nonIP(.addressFamily(UInt32(family)))
                }
            }
            guard length <= frame.count - offset else { return .failed(.truncatedNFLOG) }
            offset += (length + 3) & ~3
        }
        return .failed(.nflogWithoutPayload)
    }

    // MARK: 802.11

    /// LINKTYPE_IEEE802_11_RADIOTAP: a little-endian radiotap header (version 0, its
    /// own length, presence bitmaps), then the 802.11 frame; a trailing FCS is cut
    /// when the Flags field says there is one.
    mutating func radiotap(_ frame: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard frame.count >= 8, frame.u8(0) == 0 else { return .failed(.badRadiotapHeader) }
        let length = Int(frame.u16le(2))
        guard length >= 8, length <= frame.count else { return .failed(.badRadiotapHeader) }
        let present = frame.u32le(4)
        // Extended presence bitmaps (bit 31) come before the fields.
        var fields = 4
        var word = present
        while word & 0x8000_0000 != 0 {
            fields += 4
            guard fields + 4 <= length else { return .failed(.badRadiotapHeader) }
            word = frame.u32le(fields)
        }
        fields += 4
        var body = frame.tail(from: length)
        // TSFT (bit 0) is 8 bytes, 8-aligned; Flags (bit 1) follows; 0x10 = FCS at end.
        if present & 0x1 != 0 { fields = ((fields + 7) & ~7) + 8 }
        if present & 0x2 != 0, fields < length, frame.u8(fields) & 0x10 != 0, body.count >= 4 {
            body = body.slice(from: 0, length: body.count - 4)
        }
        return wlan(body, into: &packet, decoder: decoder)
    }

    /// LINKTYPE_IEEE802_11: an 802.11 MAC frame. Only unprotected data frames with a
    /// body are decoded (through LLC/SNAP); management and control frames are
    /// counted as non-IP, protected frames as undecodable, never guessed at.
    mutating func wlan(_ frame: UnsafeRawBufferPointer, into packet: inout DecodedPacket, decoder: PacketDecoder) -> DecodeOutcome {
        guard enter() else { return .failed(.tooManyLayers) }
        guard frame.count >= 2 else { return .failed(.badWLANHeader) }
        let control = frame.u8(0)
        let flags = frame.u8(1)
        guard control & 0x03 == 0 else { return .failed(.badWLANHeader) }  // protocol version 0
        switch (control >> 2) & 0x03 {
        case 2: break
        case 1: return .nonIP(.wlanControl)
        default: return .nonIP(.wlanManagement)  // management, and extension frames (DMG beacons)
        }
        let subtype = control >> 4
        if subtype & 0x4 != 0 { return .nonIP(.wlanNoData) }  // Null, QoS Null, CF-Ack/Poll only
        if flags & 0x40 != 0 { return .failed(.protectedWLANFrame) }
        // Three addresses; a fourth when both To DS and From DS are set (a WDS/mesh hop).
        var header = flags & 0x03 == 0x03 ? 30 : 24
        var aggregate = false
        if subtype & 0x8 != 0 {
            // QoS Control; with the Order flag, an HT Control field follows it.
            guard frame.count >= header + 2 else { return .failed(.badWLANHeader) }
            aggregate = frame.u8(header) & 0x80 != 0
            header += flags & 0x80 != 0 ? 6 : 2
        }
        guard frame.count >= header else { return .failed(.badWLANHeader) }
        var body = frame.tail(from: header)
        if aggregate {
            // A-MSDU: the first subframe (destination, source, length, then LLC).
            guard body.count >= 14 else { return .failed(.badWLANHeader) }
            body = body.slice(from: 14, length: Int(body.u16(12)))
        }
        return llc(body, into: &packet, decoder: decoder)
    }
}
