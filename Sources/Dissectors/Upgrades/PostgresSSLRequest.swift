/// PostgreSQL's SSLRequest (protocol 3, "SSL Session Encryption"): the client's 8 bytes
/// (length 8, code 80877103), the server's single byte `S` (TLS follows) or `N` (no TLS).
/// Pure, on the first bytes of one direction.
public enum PostgresSSLRequest {
    static let request: [UInt8] = [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F]

    /// Whether the client's bytes open with an SSLRequest.
    public static func isRequest(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 8 && bytes.prefix(8).elementsEqual(request)
    }

    public static func negotiation(_ bytes: UnsafeRawBufferPointer, fromClient: Bool) -> UpgradeNegotiation {
        if fromClient {
            if bytes.count < 8 { return .pending }
            return isRequest(bytes) ? .innerStarts(at: 8) : .plain
        }
        guard let answer = bytes.first else { return .pending }
        return answer == UInt8(ascii: "S") ? .innerStarts(at: 1) : .plain
    }
}
