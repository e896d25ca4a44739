import Schema

/// The logical schema of a case, the same on every engine. Three tables:
///
/// - `case_info`: one row — `marker` ('cipherscope-case', how a case is told from
///   any other database), `case_id`, `operator`, `tlp`, `created` (ns since the
///   epoch), `schema_version`.
/// - `files`: one row per ingested capture file — `id`, `sha256` (unique: ingest is
///   idempotent by content), `size`, `path` (as given), `first_packet`/`last_packet`
///   (ns), `packets`, `tool_version`, `rule_packs` (`id@version,…`), `status`
///   (`ok` | `damaged`), `error`, `chain` (the delivery chain: the ingest that read
///   it), `ingested` (ns).
/// - `flows`: one row per flow — `id`, the typed columns of `FlowColumn` (each named
///   after its `Field` declaration, dots as `_`), and `record`, the whole `analyze`
///   JSON Lines object as text, so a query prints exactly what `analyze` wrote.
///
/// Logical types and their SQL: time = INTEGER / BIGINT nanoseconds since the Unix
/// epoch (exact, as the records print them); address = a 16-byte BLOB (IPv4 as
/// IPv4-mapped IPv6, so a CIDR is a byte range) plus `<name>_text` in SQLite, `inet`
/// in PostgreSQL; integer = INTEGER / BIGINT; text = TEXT. Names (`tls_sni`,
/// `dns_name`) are stored in lower case without a trailing dot.
///
/// Versions: `migrations[n - 1]` takes a case from version n − 1 to n, each in one
/// transaction; `version` is the newest this build knows. A case whose
/// `schema_version` is higher is refused (a newer cipherscope wrote it).
/// Migrations are only ever appended.
public enum CaseSchema {
    public static let marker = "cipherscope-case"
    public static var version: Int { migrations.count }
    /// Flows per insert batch: what an ingest holds in memory at most.
    public static let batchSize = 2_000

    public static let migrations: [CaseMigration] = [
        CaseMigration(version: 1, name: "case_info, files, flows", sqlite: version1(.sqlite), postgres: version1(.postgres)),
        CaseMigration(version: 2, name: "work_units (PostgreSQL only)", sqlite: [], postgres: workQueuePostgres),
    ]

    /// Indexed flow columns (each its own index; sparse ones only where not null).
    static let indexed: [FlowColumn] = [
        .fileID, .firstSeen, .srcIP, .dstIP, .dstPort, .tlsSNI, .dnsName, .tlsJA3, .tlsJA4, .tlsJA4S, .tlsJA4X, .communityID,
    ]

    static func version1(_ dialect: SQLDialect) -> [String] {
        let integer = dialect == .sqlite ? "INTEGER" : "BIGINT"
        let identity = dialect == .sqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
        var statements = [
            """
            CREATE TABLE case_info (marker TEXT NOT NULL, case_id TEXT, operator TEXT, tlp TEXT, \
            created \(integer) NOT NULL, schema_version \(integer) NOT NULL)
            """,
            """
            CREATE TABLE files (id \(identity), sha256 TEXT NOT NULL UNIQUE, size \(integer) NOT NULL, path TEXT NOT NULL, \
            first_packet \(integer), last_packet \(integer), packets \(integer) NOT NULL DEFAULT 0, tool_version TEXT NOT NULL, \
            rule_packs TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('reading', 'ok', 'damaged')), error TEXT, \
            chain TEXT NOT NULL, ingested \(integer) NOT NULL)
            """,
        ]
        let columns = FlowColumn.allCases.flatMap { $0.definitions(dialect) }
        statements.append("CREATE TABLE flows (id \(identity), \(columns.joined(separator: ", ")))")
        return statements + flowIndexes.map(\.sql)
    }

    /// The indexes of `flows` (the same on both engines), with their names: an ingest
    /// into an empty SQLite case drops them and builds them after the load.
    static let flowIndexes: [(name: String, sql: String)] = {
        var indexes = indexed.map { column in
            let partial = column.sparse ? " WHERE \(column.name) IS NOT NULL" : ""
            return ("flows_\(column.name)", "CREATE INDEX flows_\(column.name) ON flows (\(column.name))\(partial)")
        }
        indexes.append(("flows_platform_time", "CREATE INDEX flows_platform_time ON flows (platform, first_seen) WHERE platform IS NOT NULL"))
        return indexes
    }()
}

/// One step of the schema, with its SQL per engine (the dialects differ in types).
public struct CaseMigration: Sendable {
    public let version: Int
    public let name: String
    public let sqlite: [String]
    public let postgres: [String]

    public func statements(_ dialect: SQLDialect) -> [String] { dialect == .sqlite ? sqlite : postgres }
}

public enum SQLDialect: Sendable {
    case sqlite, postgres

    /// The placeholder of the `index`-th (1-based) bound value.
    func placeholder(_ index: Int) -> String { self == .sqlite ? "?" : "$\(index)" }
}

/// The typed columns of `flows`, in table order (`FlowRow.values` keeps it). The
/// names come from the schema's field declarations; `fileID` is the case's own. The
/// packet pointer is `file_id`, `first_frame` and `first_offset` (byte offset).
public enum FlowColumn: Int, CaseIterable, Sendable {
    case fileID, firstFrame, firstOffset, flowID, firstSeen, lastSeen
    case srcIP, srcPort, dstIP, dstPort, proto, appProto, communityID, bytesC2S, bytesS2C
    case platform, service, activity, confidence
    case tlsSNI, dnsName, tlsJA3, tlsJA4, tlsJA4S, tlsJA4X
    case record

    public enum Kind: Sendable { case integer, time, address, text }

    /// The schema field a column is derived from (nil: the case's own).
    public var field: Field? {
        switch self {
        case .fileID, .record: nil
        case .firstFrame: .firstFrame
        case .firstOffset: .firstOffset
        case .flowID: .flowID
        case .firstSeen: .firstSeen
        case .lastSeen: .lastSeen
        case .srcIP: .srcIP
        case .srcPort: .srcPort
        case .dstIP: .dstIP
        case .dstPort: .dstPort
        case .proto: .proto
        case .appProto: .appProto
        case .communityID: .communityID
        case .bytesC2S: .bytesC2S
        case .bytesS2C: .bytesS2C
        case .platform: .platform
        case .service: .service
        case .activity: .activity
        case .confidence: .confidence
        case .tlsSNI: .tlsSNI
        case .dnsName: .dnsName
        case .tlsJA3: .tlsJA3
        case .tlsJA4: .tlsJA4
        case .tlsJA4S: .tlsJA4S
        case .tlsJA4X: .tlsCertificateJA4X
        }
    }

    public var name: String {
        switch self {
        case .fileID: "file_id"
        case .record: "record"
        default: Field.declarations[field!.rawValue].name.replacingDots()
        }
    }

    public var kind: Kind {
        if let field {
            switch Field.declarations[field.rawValue].kind {
            case .number: return .integer
            case .time: return .time
            case .address: return .address
            default: return .text
            }
        }
        return self == .record ? .text : .integer
    }

    /// Mostly null (only some flows have it): indexed only where set.
    var sparse: Bool {
        switch self {
        case .platform, .tlsSNI, .dnsName, .tlsJA3, .tlsJA4, .tlsJA4S, .tlsJA4X: true
        default: false
        }
    }

    var required: Bool {
        switch self {
        case .fileID, .firstFrame, .flowID, .firstSeen, .lastSeen, .srcIP, .dstIP, .proto, .record: true
        default: false
        }
    }

    /// The column's SQL in a `CREATE TABLE` (an address is two columns in SQLite).
    func definitions(_ dialect: SQLDialect) -> [String] {
        let notNull = required ? " NOT NULL" : ""
        switch (kind, dialect) {
        case (.integer, .sqlite), (.time, .sqlite): return ["\(name) INTEGER\(notNull)"]
        case (.integer, .postgres), (.time, .postgres): return ["\(name) BIGINT\(notNull)"]
        case (.text, _): return ["\(name) TEXT\(notNull)"]
        case (.address, .sqlite): return ["\(name) BLOB\(notNull)", "\(name)_text TEXT\(notNull)"]
        case (.address, .postgres): return ["\(name) INET\(notNull)"]
        }
    }

    /// The names of the SQL columns this column fills, in order.
    func sqlNames(_ dialect: SQLDialect) -> [String] {
        kind == .address && dialect == .sqlite ? [name, name + "_text"] : [name]
    }
}

extension String {
    func replacingDots() -> String { String(map { $0 == "." ? "_" : $0 }) }
}
