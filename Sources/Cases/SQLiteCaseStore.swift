import Basics
import Decoding
import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A case in one SQLite file (GRDB over the system's libsqlite3). WAL journal with
/// `synchronous = NORMAL`: a killed process never leaves a half transaction, and a
/// committed ingest survives anything but a power cut in the next instant.
public final class SQLiteCaseStore: CaseStore {
    let location: CaseLocation
    let path: String
    let queue: DatabaseQueue

    private init(path: String, queue: DatabaseQueue) {
        self.location = .sqlite(path: path)
        self.path = path
        self.queue = queue
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        // The ingest transaction spans several calls (`CaseIngest`), not one closure.
        configuration.allowsUnsafeTransactions = true
        configuration.label = "cipherscope-case"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        return configuration
    }

    public static func create(at location: CaseLocation, info: NewCaseInfo) throws -> SQLiteCaseStore {
        guard case .sqlite(let path) = location else { throw CaseError("\(location): not an SQLite case path") }
        if access(path, F_OK) == 0 { throw CaseError("\(path): already exists (a case is created only where nothing is)") }
        let store = try connect(path)
        try store.guarded("create") {
            try store.queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.inTransaction {
                    for statement in CaseSchema.migrations.flatMap({ $0.sqlite }) { try db.execute(sql: statement) }
                    try db.execute(
                        sql: "INSERT INTO case_info (marker, case_id, operator, tlp, created, schema_version) VALUES (?, ?, ?, ?, ?, ?)",
                        arguments: [CaseSchema.marker, info.caseID, info.operatorName, info.tlp, info.created, CaseSchema.version])
                    return .commit
                }
            }
        }
        return store
    }

    public static func open(_ location: CaseLocation) throws -> SQLiteCaseStore {
        guard case .sqlite(let path) = location else { throw CaseError("\(location): not an SQLite case path") }
        guard access(path, F_OK) == 0 else { throw CaseError("\(path): no such case (create it with `cipherscope case init`)") }
        let store: SQLiteCaseStore
        do {
            store = try connect(path)
        } catch let error as CaseError {
            throw CaseError("\(path): not a cipherscope case (\(error.message.dropFirst(path.count + 2)))")
        }
        let found: (marker: String?, version: Int)?
        do {
            found = try store.queue.read { db -> (String?, Int)? in
                guard try db.tableExists("case_info") else { return nil }
                guard let row = try Row.fetchOne(db, sql: "SELECT marker, schema_version FROM case_info") else { return (nil, 0) }
                return (row[0], row[1])
            }
        } catch let error as DatabaseError {
            throw CaseError("\(path): not a cipherscope case (\(error.message ?? "\(error.resultCode)"))")
        }
        guard let found, found.marker == CaseSchema.marker else {
            throw CaseError("\(path): not a cipherscope case (no case_info marked '\(CaseSchema.marker)')")
        }
        if found.version > CaseSchema.version {
            throw CaseError("\(path): written by a newer cipherscope (case schema version \(found.version); this build reads up to \(CaseSchema.version))")
        }
        try store.migrate(from: found.version)
        return store
    }

    private static func connect(_ path: String) throws -> SQLiteCaseStore {
        do {
            return SQLiteCaseStore(path: path, queue: try DatabaseQueue(path: path, configuration: configuration()))
        } catch {
            throw CaseError("\(path): \(SQLiteCaseStore.text(of: error))")
        }
    }

    /// Applies the migrations after `version`, each in its own transaction.
    private func migrate(from version: Int) throws {
        for migration in CaseSchema.migrations where migration.version > version {
            try guarded("migrate to schema version \(migration.version)") {
                try queue.inTransaction { db in
                    for statement in migration.sqlite { try db.execute(sql: statement) }
                    try db.execute(sql: "UPDATE case_info SET schema_version = ?", arguments: [migration.version])
                    return .commit
                }
            }
        }
    }

    public func info() throws -> CaseInfo {
        try guarded("read case_info") {
            try queue.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT case_id, operator, tlp, created, schema_version FROM case_info")!
                return CaseInfo(caseID: row[0], operatorName: row[1], tlp: row[2], created: row[3], schemaVersion: row[4])
            }
        }
    }

    static let fileColumns = """
        f.id, f.sha256, f.size, f.path, f.first_packet, f.last_packet, f.packets, f.tool_version, f.rule_packs, f.status, \
        f.error, f.chain, f.ingested, (SELECT COUNT(*) FROM flows WHERE file_id = f.id)
        """

    public func files() throws -> [CaseFile] {
        try guarded("read files") {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT \(SQLiteCaseStore.fileColumns) FROM files f ORDER BY f.id").map(SQLiteCaseStore.file(from:))
            }
        }
    }

    public func file(sha256: String) throws -> CaseFile? {
        try guarded("read files") {
            try queue.read { db in
                try Row.fetchOne(db, sql: "SELECT \(SQLiteCaseStore.fileColumns) FROM files f WHERE f.sha256 = ?", arguments: [sha256])
                    .map(SQLiteCaseStore.file(from:))
            }
        }
    }

    static func file(from row: Row) -> CaseFile {
        CaseFile(id: row[0], sha256: row[1], size: UInt64(row[2] as Int64), path: row[3], firstPacket: row[4], lastPacket: row[5],
                 packets: UInt64(row[6] as Int64), toolVersion: row[7], rulePacks: row[8], status: row[9], error: row[10],
                 chain: row[11], ingested: row[12], flows: row[13])
    }

    public func beginIngest() throws -> any CaseIngest {
        try SQLiteCaseIngest(store: self)
    }

    public func flows(matching query: FlowQuery, _ body: (StoredFlow) throws -> Void) throws {
        let clause = query.whereClause(.sqlite)
        let sql = "SELECT record, file_id, first_frame FROM flows \(clause.sql) ORDER BY first_seen, id"
        let arguments = StatementArguments(clause.values.map(SQLiteCaseStore.databaseValue))
        try guarded("query flows") {
            try queue.read { db in
                let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
                while let row = try rows.next() {
                    try body(StoredFlow(record: row[0], fileID: row[1], firstFrame: row[2]))
                }
            }
        }
    }

    public func summary() throws -> [CaseSummaryRow] {
        let day = "(first_seen - ((first_seen % 86400000000000) + 86400000000000) % 86400000000000) / 86400000000000"
        let sql = """
            SELECT COALESCE(platform, ''), src_ip_text, \(day) AS day, COUNT(*), SUM(COALESCE(bytes_c2s, 0) + COALESCE(bytes_s2c, 0)) \
            FROM flows GROUP BY 1, src_ip, day ORDER BY 1, src_ip, day
            """
        return try guarded("summarise") {
            try queue.read { db in
                try Row.fetchAll(db, sql: sql).map { CaseSummaryRow(platform: $0[0], client: $0[1], day: $0[2], flows: $0[3], bytes: $0[4]) }
            }
        }
    }

    public func close() {
        try? queue.close()
    }

    /// Runs `body`, turning a database error into a `CaseError` naming the case and the step.
    func guarded<T>(_ step: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CaseError {
            throw error
        } catch {
            throw CaseError("\(path): \(step): \(SQLiteCaseStore.text(of: error))")
        }
    }

    static func text(of error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }

    static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .integer(let number): return number.databaseValue
        case .text(let text): return text.databaseValue
        case .blob(let bytes): return Data(bytes).databaseValue
        }
    }
}
