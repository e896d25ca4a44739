import Decoding
import GRDB
import GRDBSQLite

/// One ingest transaction on an SQLite case (`BEGIN IMMEDIATE` … `COMMIT`). Flows
/// are bound straight to one prepared statement (no per-value boxing): the insert
/// is the hot path of `case ingest`. Into a case without flows (the first delivery,
/// usually the largest), the indexes are dropped at the start and built once before
/// the commit: sorting each column once costs a fraction of keeping 13 B-trees in
/// order row by row. Both happen inside the transaction: a kill leaves them as they were.
final class SQLiteCaseIngest: CaseIngest {
    private let store: SQLiteCaseStore
    private var open = true
    private var indexesToBuild: [String] = []
    private static let insertSQL: String = {
        let names = FlowColumn.allCases.flatMap { $0.sqlNames(.sqlite) }
        return "INSERT INTO flows (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))"
    }()

    init(store: SQLiteCaseStore) throws {
        self.store = store
        try store.guarded("begin ingest") {
            try store.queue.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                guard try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM flows)") == true else { return }
                for index in CaseSchema.flowIndexes { try db.execute(sql: "DROP INDEX IF EXISTS \(index.name)") }
                indexesToBuild = CaseSchema.flowIndexes.map(\.sql)
            }
        }
    }

    deinit { rollback() }

    func addFile(_ file: NewCaseFile) throws -> Int64 {
        try store.guarded("record \(file.path)") {
            try store.queue.writeWithoutTransaction { db in
                try db.execute(
                    sql: """
                        INSERT INTO files (sha256, size, path, tool_version, rule_packs, status, chain, ingested) \
                        VALUES (?, ?, ?, ?, ?, 'reading', ?, ?)
                        """,
                    arguments: [file.sha256, Int64(file.size), file.path, file.toolVersion, file.rulePacks, file.chain, file.ingested])
                return db.lastInsertedRowID
            }
        }
    }

    func insert(_ flows: [FlowRow]) throws {
        try store.guarded("store flows") {
            try store.queue.writeWithoutTransaction { db in
                let statement = try db.cachedStatement(sql: SQLiteCaseIngest.insertSQL).sqliteStatement
                for flow in flows {
                    sqlite3_reset(statement)
                    var index: Int32 = 1
                    for column in FlowColumn.allCases {
                        let value = flow.values[column.rawValue]
                        SQLiteCaseIngest.bind(value, at: index, to: statement)
                        index += 1
                        if column.kind == .address && column.sqlNames(.sqlite).count == 2 {
                            var text = SQLValue.null
                            if case .blob(let bytes) = value, let address = IPAddress(sixteenBytes: bytes) { text = .text(address.description) }
                            SQLiteCaseIngest.bind(text, at: index, to: statement)
                            index += 1
                        }
                    }
                    let code = sqlite3_step(statement)
                    guard code == SQLITE_DONE else {
                        throw CaseError("\(store.path): store flows: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
                    }
                }
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
        }
    }

    /// SQLITE_TRANSIENT: SQLite copies the value before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func bind(_ value: SQLValue, at index: Int32, to statement: OpaquePointer) {
        switch value {
        case .null: sqlite3_bind_null(statement, index)
        case .integer(let number): sqlite3_bind_int64(statement, index, number)
        case .text(let text):
            var text = text
            text.withUTF8 { bytes in
                _ = sqlite3_bind_text(statement, index, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                      Int32(bytes.count), transient)
            }
        case .blob(let bytes):
            bytes.withUnsafeBytes { raw in _ = sqlite3_bind_blob(statement, index, raw.baseAddress, Int32(raw.count), transient) }
        }
    }

    func finishFile(id: Int64, outcome: FileOutcome) throws {
        try store.guarded("record the outcome of file \(id)") {
            try store.queue.writeWithoutTransaction { db in
                try db.execute(
                    sql: """
                        UPDATE files SET packets = ?, first_packet = ?, last_packet = ?, status = ?, error = ?, \
                        sha256 = COALESCE(?, sha256), size = COALESCE(?, size), chain = COALESCE(?, chain) WHERE id = ?
                        """,
                    arguments: [Int64(clamping: outcome.packets), outcome.firstPacket, outcome.lastPacket, outcome.status.rawValue,
                                outcome.error, outcome.digest?.sha256, outcome.digest.map { Int64(clamping: $0.size) }, outcome.chain, id])
            }
        }
    }

    func commit() throws {
        guard open else { throw CaseError("\(store.path): ingest already ended") }
        try store.guarded("commit") {
            try store.queue.writeWithoutTransaction { db in
                for statement in indexesToBuild { try db.execute(sql: statement) }
                try db.execute(sql: "COMMIT")
            }
        }
        open = false
    }

    func rollback() {
        guard open else { return }
        open = false
        try? store.queue.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
    }
}
