import Cases
import Foundation
import PostgresNIO

/// A case in a PostgreSQL 15 database: the logical schema of `CaseSchema` in its
/// PostgreSQL dialect (addresses `inet`, times BIGINT nanoseconds, the record as
/// text so `case query --format jsonl` prints the bytes `analyze` wrote). Flows are
/// bulk-loaded with COPY (`PostgresCaseIngest`); queries stream through a cursor.
public final class PostgresCaseStore: CaseStore {
    let session: PostgresSession
    public var url: PostgresCaseURL { session.url }

    /// Run by the next ingest inside its transaction just before COMMIT (then cleared): the work queue's `done` mark.
    var beforeIngestCommit: (() throws -> Void)?

    private init(session: PostgresSession) { self.session = session }

    /// Serialises schema changes of concurrent `case init`, `open` and workers on one database.
    static let schemaLock: Int64 = 0x6369_7068_6572_7363  // "ciphersc"

    static func connect(_ location: CaseLocation) throws -> PostgresCaseStore {
        guard case .postgres(let text) = location else { throw CaseError("\(location): not a PostgreSQL case URL") }
        let url: PostgresCaseURL
        do {
            url = try PostgresCaseURL(parsing: text, environment: ProcessInfo.processInfo.environment)
        } catch let error as PostgresCaseURL.ParseError {
            throw CaseError("\(location): \(error)")
        }
        return PostgresCaseStore(session: try PostgresSession.connect(url))
    }

    public static func create(at location: CaseLocation, info: NewCaseInfo) throws -> PostgresCaseStore {
        let store = try connect(location)
        do {
            try store.inTransaction("create") {
                try store.session.execute("lock", "SELECT pg_advisory_xact_lock($1)", [.integer(schemaLock)])
                if try store.hasCaseInfo() {
                    throw CaseError("\(store.url): already a case (a case is created only in a database without one)")
                }
                for statement in CaseSchema.migrations.flatMap({ $0.postgres }) { try store.session.execute("create", statement) }
                try store.session.execute(
                    "create",
                    "INSERT INTO case_info (marker, case_id, operator, tlp, created, schema_version) VALUES ($1, $2, $3, $4, $5, $6)",
                    [.text(CaseSchema.marker), info.caseID.map(SQLValue.text) ?? .null, info.operatorName.map(SQLValue.text) ?? .null,
                     info.tlp.map(SQLValue.text) ?? .null, .integer(info.created), .integer(Int64(CaseSchema.version))])
            }
        } catch {
            store.close()
            throw error
        }
        return store
    }

    public static func open(_ location: CaseLocation) throws -> PostgresCaseStore {
        let store = try connect(location)
        do {
            try store.checkAndMigrate()
        } catch {
            store.close()
            throw error
        }
        return store
    }

    private func hasCaseInfo() throws -> Bool {
        try session.rows("look for case_info", "SELECT to_regclass('case_info') IS NOT NULL") { try $0.decode(Bool.self) }.first ?? false
    }

    /// Refuses what is not a case or is newer than this build; applies the missing migrations, each in one transaction.
    private func checkAndMigrate() throws {
        guard try hasCaseInfo() else {
            throw CaseError("\(url): not a cipherscope case (no case_info table; create one with `cipherscope case init`)")
        }
        func found() throws -> (String?, Int) {
            let rows = try session.rows("read case_info", "SELECT marker, schema_version FROM case_info") {
                try $0.decode((String?, Int64).self)
            }
            guard let row = rows.first, row.0 == CaseSchema.marker else {
                throw CaseError("\(url): not a cipherscope case (no case_info marked '\(CaseSchema.marker)')")
            }
            return (row.0, Int(row.1))
        }
        let version = try found().1
        if version > CaseSchema.version {
            throw CaseError("\(url): written by a newer cipherscope (case schema version \(version); this build reads up to \(CaseSchema.version))")
        }
        for migration in CaseSchema.migrations where migration.version > version {
            try inTransaction("migrate to schema version \(migration.version)") {
                try session.execute("lock", "SELECT pg_advisory_xact_lock($1)", [.integer(Self.schemaLock)])
                // Another process may have migrated while this one waited for the lock.
                guard try found().1 < migration.version else { return }
                for statement in migration.postgres { try session.execute("migrate", statement) }
                try session.execute("migrate", "UPDATE case_info SET schema_version = $1", [.integer(Int64(migration.version))])
            }
        }
    }

    /// BEGIN … COMMIT around `body`; ROLLBACK when it throws.
    func inTransaction(_ step: String, _ body: () throws -> Void) throws {
        try session.execute(step, "BEGIN")
        do {
            try body()
            try session.execute(step, "COMMIT")
        } catch {
            try? session.execute(step, "ROLLBACK")
            throw error
        }
    }

    public func info() throws -> CaseInfo {
        let rows = try session.rows("read case_info", "SELECT case_id, operator, tlp, created, schema_version FROM case_info") {
            try $0.decode((String?, String?, String?, Int64, Int64).self)
        }
        guard let row = rows.first else { throw CaseError("\(url): case_info is empty") }
        return CaseInfo(caseID: row.0, operatorName: row.1, tlp: row.2, created: row.3, schemaVersion: Int(row.4))
    }

    static let fileColumns = """
        f.id, f.sha256, f.size, f.path, f.first_packet, f.last_packet, f.packets, f.tool_version, f.rule_packs, f.status, \
        f.error, f.chain, f.ingested, (SELECT COUNT(*) FROM flows WHERE file_id = f.id)
        """

    public func files() throws -> [CaseFile] {
        try session.rows("read files", "SELECT \(Self.fileColumns) FROM files f ORDER BY f.id", [], Self.file(from:))
    }

    public func file(sha256: String) throws -> CaseFile? {
        try session.rows("read files", "SELECT \(Self.fileColumns) FROM files f WHERE f.sha256 = $1", [.text(sha256)], Self.file(from:)).first
    }

    @Sendable static func file(from row: PostgresRow) throws -> CaseFile {
        let (id, sha256, size, path, first, last, packets, tool, packs, status, error, chain, ingested, flows) =
            try row.decode((Int64, String, Int64, String, Int64?, Int64?, Int64, String, String, String, String?, String, Int64, Int64).self)
        return CaseFile(id: id, sha256: sha256, size: UInt64(max(0, size)), path: path, firstPacket: first, lastPacket: last,
                        packets: UInt64(max(0, packets)), toolVersion: tool, rulePacks: packs, status: status, error: error,
                        chain: chain, ingested: ingested, flows: flows)
    }

    public func beginIngest() throws -> any CaseIngest {
        let ingest = try PostgresCaseIngest(store: self)
        ingest.beforeCommit = beforeIngestCommit
        beforeIngestCommit = nil
        return ingest
    }

    /// Rows fetched per round trip from the query's cursor: what a query holds in memory.
    static let fetchSize = 2_000

    public func flows(matching query: FlowQuery, _ body: (StoredFlow) throws -> Void) throws {
        let clause = query.whereClause(.postgres)
        let sql = "DECLARE case_query NO SCROLL CURSOR FOR SELECT record, file_id, first_frame FROM flows \(clause.sql) ORDER BY first_seen, id"
        try session.execute("query flows", "BEGIN READ ONLY")
        defer { try? session.execute("query flows", "ROLLBACK") }
        try session.execute("query flows", sql, clause.values)
        while true {
            let page = try session.rows("query flows", "FETCH \(Self.fetchSize) FROM case_query") { row in
                let (record, fileID, firstFrame) = try row.decode((String, Int64, Int64).self)
                return StoredFlow(record: record, fileID: fileID, firstFrame: firstFrame)
            }
            for flow in page { try body(flow) }
            if page.count < Self.fetchSize { break }
        }
    }

    public func summary() throws -> [CaseSummaryRow] {
        let day = "(first_seen - ((first_seen % 86400000000000) + 86400000000000) % 86400000000000) / 86400000000000"
        let sql = """
            SELECT COALESCE(platform, ''), host(src_ip), \(day) AS day, COUNT(*)::bigint, \
            SUM(COALESCE(bytes_c2s, 0) + COALESCE(bytes_s2c, 0))::bigint \
            FROM flows GROUP BY 1, src_ip, day ORDER BY 1, src_ip, day
            """
        return try session.rows("summarise", sql) { row in
            let (platform, client, day, flows, bytes) = try row.decode((String, String, Int64, Int64, Int64).self)
            return CaseSummaryRow(platform: platform, client: client, day: day, flows: flows, bytes: bytes)
        }
    }

    public func close() {
        session.close()
    }
}
