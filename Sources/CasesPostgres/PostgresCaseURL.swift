/// A case on PostgreSQL, named `postgresql://user[:password]@host[:port]/database`
/// (`postgres://` too). The password may instead come from PGPASSWORD, as with psql,
/// so that it need not appear in a process listing.
public struct PostgresCaseURL: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String

    /// True when `text` names a PostgreSQL case rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    public init(user: String, password: String? = nil, host: String, port: Int = 5432, database: String) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
    }

    /// Parses the URL; the error says what is wrong with it.
    public init(parsing text: String, environment: [String: String] = [:]) throws {
        guard let schemeEnd = text.range(of: "://"), Self.isPostgres(text) else {
            throw ParseError("it must start with postgresql://")
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        guard let slash = rest.firstIndex(of: "/") else { throw ParseError("it names no database (…/DATABASE)") }
        let authority = rest[..<slash]
        database = Self.decoded(rest[rest.index(after: slash)...])
        guard !database.isEmpty else { throw ParseError("it names no database (…/DATABASE)") }
        var hostPart = authority
        var userPart: Substring = ""
        if let at = authority.lastIndex(of: "@") {
            userPart = authority[..<at]
            hostPart = authority[authority.index(after: at)...]
        }
        if let colon = userPart.firstIndex(of: ":") {
            user = Self.decoded(userPart[..<colon])
            password = Self.decoded(userPart[userPart.index(after: colon)...])
        } else {
            user = Self.decoded(userPart)
            password = environment["PGPASSWORD"]
        }
        if user.isEmpty { user = environment["PGUSER"] ?? environment["USER"] ?? "postgres" }
        port = 5432
        if hostPart.hasPrefix("["), let close = hostPart.firstIndex(of: "]") {
            host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") { port = try Self.port(after.dropFirst(), in: text) }
        } else if let colon = hostPart.lastIndex(of: ":") {
            host = String(hostPart[..<colon])
            port = try Self.port(hostPart[hostPart.index(after: colon)...], in: text)
        } else {
            host = String(hostPart)
        }
        if host.isEmpty { host = "127.0.0.1" }
    }

    /// What is wrong with a URL.
    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
        init(_ why: String) { description = "not a PostgreSQL case URL: " + why }
    }

    /// The URL without its password, for messages and records.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgresql://\(user)@\(shownHost):\(port)/\(database)"
    }

    private static func port(_ text: Substring, in url: String) throws -> Int {
        guard let value = Int(text), (1...65535).contains(value) else {
            throw ParseError("port \"\(text)\" is not a number from 1 to 65535")
        }
        return value
    }

    /// Percent-decoding, for user names and passwords with reserved characters.
    private static func decoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"),
               let first = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex), first < utf8.endIndex,
               let second = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), second < utf8.endIndex,
               let value = UInt8(String(decoding: [utf8[first], utf8[second]], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = utf8.index(after: second)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
