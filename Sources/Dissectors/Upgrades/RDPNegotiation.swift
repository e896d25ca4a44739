/// RDP's security negotiation (MS-RDPBCGR §2.2.1.1–2.2.1.2): a TPKT-framed X.224
/// Connection Request with RDP_NEG_REQ, the Connection Confirm with RDP_NEG_RSP; when
/// the server selects TLS, CredSSP or CredSSP-EX, a TLS handshake follows on the stream.
/// Pure, on the first bytes of one direction.
public enum RDPNegotiation {
    static let connectionRequest: UInt8 = 0xE0
    static let connectionConfirm: UInt8 = 0xD0
    /// PROTOCOL_SSL | PROTOCOL_HYBRID | PROTOCOL_HYBRID_EX: each runs inside TLS.
    static let tlsProtocols: UInt32 = 0x1 | 0x2 | 0x8

    /// Whether the client's bytes open with a TPKT-framed X.224 Connection Request.
    public static func isConnectionRequest(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 11, bytes[0] == 3, bytes[1] == 0 else { return false }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        // X.224 length indicator counts the bytes after itself in the TPKT payload.
        return length >= 11 && Int(bytes[4]) == length - 5 && bytes[5] & 0xF0 == connectionRequest
    }

    public static func negotiation(_ bytes: UnsafeRawBufferPointer, fromClient: Bool) -> UpgradeNegotiation {
        guard bytes.count >= 4 else { return .pending }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard bytes[0] == 3, bytes[1] == 0, length >= 11 else { return .plain }
        guard bytes.count >= length else { return .pending }
        guard bytes[5] & 0xF0 == (fromClient ? connectionRequest : connectionConfirm) else { return .plain }
        // RDP_NEG_REQ / RDP_NEG_RSP / RDP_NEG_FAILURE close the TPKT (8 bytes, little-endian).
        guard length >= 11 + 8 else { return .plain }
        let negotiation = length - 8
        let type = bytes[negotiation]
        let value = UInt32(bytes[negotiation + 4]) | UInt32(bytes[negotiation + 5]) << 8
            | UInt32(bytes[negotiation + 6]) << 16 | UInt32(bytes[negotiation + 7]) << 24
        let expected: UInt8 = fromClient ? 0x01 : 0x02
        guard type == expected, value & tlsProtocols != 0 else { return .plain }
        return .innerStarts(at: length)
    }
}
