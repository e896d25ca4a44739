/// LDAP StartTLS (RFC 4511 §4.14): the client's ExtendedRequest naming the OID
/// 1.3.6.1.4.1.1466.20037, the server's ExtendedResponse with resultCode success, then
/// TLS on the same stream. BER, walked message by message. Pure, on the first bytes of
/// one direction.
public enum LDAPStartTLS {
    static let oid = Array("1.3.6.1.4.1.1466.20037".utf8)
    static let extendedRequest: UInt8 = 0x77   // [APPLICATION 23], constructed
    static let extendedResponse: UInt8 = 0x78  // [APPLICATION 24], constructed
    /// Messages looked at before giving up (StartTLS is usually the first).
    static let maxMessages = 8
    /// Longest message accepted before StartTLS.
    static let maxMessageLength = 4096

    /// Whether the bytes open with an LDAP message: SEQUENCE { messageID INTEGER, protocolOp [APPLICATION n] }.
    public static func looksLikeLDAP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var reader = ByteReader(bytes)
        guard reader.u8() == 0x30, let length = berLength(&reader), length >= 5, length <= maxMessageLength,
              reader.u8() == 0x02, let idLength = reader.u8(), (1...4).contains(idLength), reader.skip(Int(idLength)),
              let op = reader.u8() else { return false }
        // Requests a client opens with: bind, search, extended.
        return op == 0x60 || op == 0x63 || op == extendedRequest
    }

    /// The client's side (`fromClient`) or the server's: where TLS begins, if StartTLS was agreed.
    public static func negotiation(_ bytes: UnsafeRawBufferPointer, fromClient: Bool) -> UpgradeNegotiation {
        var reader = ByteReader(bytes)
        for _ in 0..<maxMessages {
            guard reader.remaining > 0 else { return .pending }
            guard reader.u8() == 0x30 else { return .plain }
            guard let length = berLength(&reader) else { return reader.remaining < 6 ? .pending : .plain }
            guard length <= maxMessageLength else { return .plain }
            guard var message = reader.sub(length) else { return .pending }
            let end = reader.offset
            switch upgradeVerdict(&message, fromClient: fromClient) {
            case true?: return .innerStarts(at: end)
            case false?: return .plain
            case nil: continue
            }
        }
        return .plain
    }

    /// true: this message agrees StartTLS; false: it refuses it; nil: another message.
    private static func upgradeVerdict(_ message: inout ByteReader, fromClient: Bool) -> Bool? {
        guard message.u8() == 0x02, let idLength = message.u8(), (1...4).contains(idLength), message.skip(Int(idLength)),
              let op = message.u8(), let opLength = berLength(&message), var body = message.sub(opLength) else { return nil }
        if fromClient {
            // requestName [0] LDAPOID
            guard op == extendedRequest, body.u8() == 0x80, let nameLength = berLength(&body),
                  let name = body.bytes(nameLength) else { return nil }
            return name.elementsEqual(oid) ? true : nil
        }
        // LDAPResult: resultCode ENUMERATED first. Only the response to StartTLS is an
        // ExtendedResponse in the opening exchange; 0 is success.
        guard op == extendedResponse, body.u8() == 0x0A, body.u8() == 1, let code = body.u8() else { return nil }
        return code == 0
    }

    /// A BER definite length (short or long form, at most 4 bytes).
    static func berLength(_ reader: inout ByteReader) -> Int? {
        guard let first = reader.u8() else { return nil }
        if first < 0x80 { return Int(first) }
        let count = Int(first & 0x7F)
        guard (1...4).contains(count) else { return nil }
        var length = 0
        for _ in 0..<count {
            guard let byte = reader.u8() else { return nil }
            length = length << 8 | Int(byte)
        }
        return length
    }
}
