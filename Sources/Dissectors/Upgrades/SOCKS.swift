import Decoding

/// SOCKS4 / SOCKS4a (the "SOCKS: A protocol for TCP proxies" memo and its 4a
/// extension) and SOCKS5 (RFC 1928, with RFC 1929 username/password): the client's
/// requests up to CONNECT, the server's replies up to success; the relayed stream
/// follows. Pure, on the first bytes of one direction.
public enum SOCKS {
    static let maxField = 255

    /// Whether the client's bytes open with a SOCKS4 CONNECT (through the user id's
    /// NUL) or a complete SOCKS5 method offer.
    public static func looksLikeRequest(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let version = bytes.first else { return false }
        switch version {
        case 4: guard bytes.count >= 9, bytes.prefix(256).contains(0) else { return false }
        case 5: guard bytes.count >= 2, bytes[1] >= 1, bytes.count >= 2 + Int(bytes[1]) else { return false }
        default: return false
        }
        if case .notSOCKS = client(bytes) { return false }
        return true
    }

    /// What the client's bytes say.
    public enum Client: Sendable, Equatable {
        /// The CONNECT target, and where the relayed stream begins.
        case request(ProxyTarget, innerStart: Int)
        case pending
        case notSOCKS
    }

    public static func client(_ bytes: UnsafeRawBufferPointer) -> Client {
        var reader = ByteReader(bytes)
        switch reader.u8() {
        case 4?: return socks4(&reader)
        case 5?: return socks5(&reader)
        case nil: return .pending
        default: return .notSOCKS
        }
    }

    /// The server's side: where the relayed stream begins after a success reply.
    public static func server(_ bytes: UnsafeRawBufferPointer, version: ProxyTarget.Kind) -> UpgradeNegotiation {
        var reader = ByteReader(bytes)
        if version != .socks5 {
            // VN 0, CD 90 (granted), DSTPORT, DSTIP.
            guard let vn = reader.u8() else { return .pending }
            guard vn == 0 else { return .plain }
            guard let code = reader.u8() else { return .pending }
            guard code == 90 else { return .plain }
            return reader.skip(6) ? .innerStarts(at: 8) : .pending
        }
        guard let version = reader.u8(), let method = reader.u8() else { return .pending }
        guard version == 5, method != 0xFF else { return .plain }
        if method == 2 {
            // RFC 1929: VER 1, STATUS 0.
            guard let authVersion = reader.u8(), let status = reader.u8() else { return .pending }
            guard authVersion == 1, status == 0 else { return .plain }
        }
        guard let replyVersion = reader.u8(), let reply = reader.u8(), reader.skip(1) else { return .pending }
        guard replyVersion == 5, reply == 0 else { return .plain }
        guard let length = addressLength(&reader) else { return reader.remaining == 0 ? .pending : .plain }
        guard reader.skip(length + 2) else { return .pending }
        return .innerStarts(at: reader.offset)
    }

    // MARK: Client

    private static func socks4(_ reader: inout ByteReader) -> Client {
        guard let command = reader.u8() else { return .pending }
        guard command == 1 else { return .notSOCKS }
        guard let port = reader.u16(), let address = reader.u32() else { return .pending }
        // USERID, NUL-terminated.
        guard nulTerminated(&reader) != nil else { return reader.isAtEnd ? .pending : .notSOCKS }
        // 0.0.0.x with x != 0: SOCKS4a, the name follows.
        if address != 0 && address < 256 {
            let start = reader.offset
            guard nulTerminated(&reader) != nil else { return reader.isAtEnd ? .pending : .notSOCKS }
            let name = ByteReader.printable(UnsafeRawBufferPointer(rebasing: reader.bytes[start..<(reader.offset - 1)]))
            guard !name.isEmpty else { return .notSOCKS }
            return .request(ProxyTarget(kind: .socks4a, host: name, port: port), innerStart: reader.offset)
        }
        guard address != 0 else { return .notSOCKS }
        return .request(ProxyTarget(kind: .socks4, host: IPAddress(ipv4: address).description, port: port), innerStart: reader.offset)
    }

    private static func socks5(_ reader: inout ByteReader) -> Client {
        guard let count = reader.u8() else { return .pending }
        guard count >= 1 else { return .notSOCKS }
        for _ in 0..<count {
            guard let method = reader.u8() else { return .pending }
            // Assigned methods (0–9) and the private range.
            guard method <= 0x09 || (0x80...0xFE).contains(method) else { return .notSOCKS }
        }
        guard let next = reader.peek() else { return .pending }
        if next == 1 {
            // RFC 1929: VER 1, ULEN, UNAME, PLEN, PASSWD.
            reader.skip(1)
            guard let userLength = reader.u8() else { return .pending }
            guard reader.skip(Int(userLength)), let passwordLength = reader.u8() else { return .pending }
            guard reader.skip(Int(passwordLength)) else { return .pending }
        }
        guard let version = reader.u8() else { return .pending }
        guard version == 5 else { return .notSOCKS }
        guard let command = reader.u8(), let reserved = reader.u8() else { return .pending }
        guard command == 1, reserved == 0 else { return .notSOCKS }
        guard let host = address(&reader) else { return reader.remaining == 0 ? .pending : .notSOCKS }
        guard let port = reader.u16() else { return .pending }
        return .request(ProxyTarget(kind: .socks5, host: host, port: port), innerStart: reader.offset)
    }

    // MARK: Addresses (ATYP 1 IPv4, 3 name, 4 IPv6)

    private static func address(_ reader: inout ByteReader) -> String? {
        guard let type = reader.u8() else { return nil }
        switch type {
        case 1:
            return reader.u32().map { IPAddress(ipv4: $0).description }
        case 3:
            guard let length = reader.u8(), length > 0, let name = reader.bytes(Int(length)) else { return nil }
            return ByteReader.printable(name)
        case 4:
            guard let high = reader.u64(), let low = reader.u64() else { return nil }
            return IPAddress(high: high, low: low).description
        default:
            return nil
        }
    }

    /// The length of an address after its type byte (the name's length byte consumed).
    private static func addressLength(_ reader: inout ByteReader) -> Int? {
        switch reader.u8() {
        case 1?: return 4
        case 3?: return reader.u8().map(Int.init)
        case 4?: return 16
        default: return nil
        }
    }

    /// Skips a NUL-terminated field of at most 255 bytes; nil when no NUL is there yet
    /// (the reader at the end) or the field is too long (the reader not at the end).
    private static func nulTerminated(_ reader: inout ByteReader) -> Int? {
        var length = 0
        while let byte = reader.u8() {
            if byte == 0 { return length }
            length += 1
            if length > maxField { return nil }
        }
        return nil
    }
}
