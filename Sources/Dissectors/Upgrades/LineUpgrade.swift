/// STARTTLS in the line protocols: SMTP (RFC 3207, also submission on 587), FTP
/// (`AUTH TLS`/`AUTH SSL`, RFC 4217), IMAP (`tag STARTTLS`, RFC 9051) and POP3 (`STLS`,
/// RFC 2595). Each direction turns into TLS after one line: the client's upgrade
/// command, the server's positive reply to it. That line is the one a TLS handshake
/// record follows, which tells the reply to STARTTLS from a greeting without pairing
/// commands with replies. Pure, on the first bytes of one direction.
public enum LineUpgrade {
    public enum Dialect: Sendable, Equatable {
        case smtp, ftp, imap, pop3
    }

    /// What the server's first line says.
    public enum Greeting: Sendable, Equatable {
        case known(Dialect)
        /// `220`, and the text names neither SMTP nor FTP.
        case smtpOrFTP
    }

    /// The scan of one direction, and where the next scan of the same direction resumes.
    public struct Scan: Sendable, Equatable {
        public var negotiation: UpgradeNegotiation
        public var resume: Int
    }

    /// Longest line looked at (RFC 5321 allows 512 for commands, 1000 for text lines).
    static let maxLine = 1024

    /// The server's greeting (its first complete line): `220` (SMTP or FTP), `* OK` or
    /// `* PREAUTH` (IMAP), `+OK` (POP3); nil for anything else.
    public static func greeting(_ bytes: UnsafeRawBufferPointer) -> Greeting? {
        guard bytes.count >= 4, let end = UpgradeBytes.lineEnd(bytes, from: 0, maxLine: maxLine), end > 0,
              (0..<end).allSatisfy({ isLineByte(bytes[$0]) }) else { return nil }
        if hasWord("+OK", bytes, 0, end) { return .known(.pop3) }
        if hasWord("* OK", bytes, 0, end) || hasWord("* PREAUTH", bytes, 0, end) { return .known(.imap) }
        guard UpgradeBytes.hasPrefix("220", in: bytes, at: 0, end: end), bytes[3] == 0x20 || bytes[3] == 0x2D else { return nil }
        if contains("FTP", bytes, end) { return .known(.ftp) }
        if contains("SMTP", bytes, end) { return .known(.smtp) }
        return .smtpOrFTP
    }

    /// SMTP or FTP from the client's first command, when the greeting could not tell.
    public static func dialect(ofFirstCommand bytes: UnsafeRawBufferPointer) -> Dialect? {
        guard let end = UpgradeBytes.lineEnd(bytes, from: 0, maxLine: maxLine), end > 0 else { return nil }
        for command: StaticString in ["EHLO", "HELO", "STARTTLS"] where hasWord(command, bytes, 0, end) { return .smtp }
        for command: StaticString in ["USER", "AUTH TLS", "AUTH SSL", "FEAT", "SYST", "OPTS"] where hasWord(command, bytes, 0, end) {
            return .ftp
        }
        return nil
    }

    /// Scans the lines of one direction from `start` (the last scan's `resume`) for the
    /// upgrade line followed by a TLS record. `dialect` nil: SMTP or FTP.
    public static func scan(_ bytes: UnsafeRawBufferPointer, from start: Int, dialect: Dialect?, fromClient: Bool) -> Scan {
        var offset = max(0, start)
        while offset < bytes.count {
            guard let end = UpgradeBytes.lineEnd(bytes, from: offset, maxLine: maxLine) else { break }
            // A line too long: this is no line protocol (any more).
            guard end > 0 else { return Scan(negotiation: .plain, resume: offset) }
            if isUpgradeLine(bytes, offset, end, dialect: dialect, fromClient: fromClient) {
                switch UpgradeBytes.tlsRecordStarts(bytes, at: end) {
                case nil: return Scan(negotiation: .pending, resume: offset)
                case true?: return Scan(negotiation: .innerStarts(at: end), resume: offset)
                case false?: break
                }
            }
            offset = end
        }
        return Scan(negotiation: .pending, resume: offset)
    }

    // MARK: Lines

    private static func isUpgradeLine(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, dialect: Dialect?, fromClient: Bool) -> Bool {
        switch (dialect, fromClient) {
        case (.smtp?, true): hasWord("STARTTLS", bytes, start, end)
        case (.smtp?, false): hasWord("220", bytes, start, end)
        case (.ftp?, true): hasWord("AUTH TLS", bytes, start, end) || hasWord("AUTH SSL", bytes, start, end)
        case (.ftp?, false): hasWord("234", bytes, start, end)
        case (nil, true): hasWord("STARTTLS", bytes, start, end) || hasWord("AUTH TLS", bytes, start, end) || hasWord("AUTH SSL", bytes, start, end)
        case (nil, false): hasWord("220", bytes, start, end) || hasWord("234", bytes, start, end)
        case (.pop3?, true): hasWord("STLS", bytes, start, end)
        case (.pop3?, false): hasWord("+OK", bytes, start, end)
        case (.imap?, true): afterTag(bytes, start, end).map { hasWord("STARTTLS", bytes, $0, end) } ?? false
        case (.imap?, false): afterTag(bytes, start, end, tagged: true).map { hasWord("OK", bytes, $0, end) } ?? false
        }
    }

    /// The offset after an IMAP tag and its space; `tagged`: not the untagged `*` or continuation `+`.
    private static func afterTag(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int, tagged: Bool = false) -> Int? {
        var index = start
        while index < end, bytes[index] > 0x20, bytes[index] < 0x7F { index += 1 }
        guard index > start, index < end, bytes[index] == 0x20 else { return nil }
        if tagged && index == start + 1 && (bytes[start] == UInt8(ascii: "*") || bytes[start] == UInt8(ascii: "+")) { return nil }
        return index + 1
    }

    /// `word` at `start`, followed by the end of the line, a space or a dash (multi-line reply).
    private static func hasWord(_ word: StaticString, _ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        guard UpgradeBytes.hasPrefix(word, in: bytes, at: start, end: end) else { return false }
        let next = start + word.utf8CodeUnitCount
        return next == end || [0x20, 0x0D, 0x0A].contains(bytes[next])
    }

    private static func contains(_ word: StaticString, _ bytes: UnsafeRawBufferPointer, _ end: Int) -> Bool {
        let count = word.utf8CodeUnitCount
        guard end >= count else { return false }
        return (0...(end - count)).contains { UpgradeBytes.hasPrefix(word, in: bytes, at: $0, end: end) }
    }

    private static func isLineByte(_ byte: UInt8) -> Bool {
        (0x20...0x7E).contains(byte) || byte == 0x0D || byte == 0x0A || byte == 0x09
    }
}
