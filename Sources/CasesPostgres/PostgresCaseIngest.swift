import Cases
import Decoding
import PostgresNIO

/// One ingest transaction on a PostgreSQL case. Each batch of flows (the caller's,
/// at most `CaseSchema.batchSize`) is one `COPY flows FROM STDIN` in text format:
/// the call returns once the server has taken it, so a slow server holds the
/// analysis back (back-pressure) instead of batches piling up in memory.
final class PostgresCaseIngest: CaseIngest {
    private let store: PostgresCaseStore
    private var open = true
    /// Run inside the transaction just before COMMIT (the work queue marks its unit done there).
    var beforeCommit: (() throws -> Void)?

    static let copyColumns = FlowColumn.allCases.map(\.name)

    init(store: PostgresCaseStore) throws {
        self.store = store
        try store.session.execute("begin ingest", "BEGIN")
    }

    deinit { rollback() }

    func addFile(_ file: NewCaseFile) throws -> Int64 {
        let ids = try store.session.rows(
            "record \(file.path)",
            """
            INSERT INTO files (sha256, size, path, tool_version, rule_packs, status, chain, ingested) \
            VALUES ($1, $2, $3, $4, $5, 'reading', $6, $7) RETURNING id
            """,
            [.text(file.sha256), .integer(Int64(clamping: file.size)), .text(file.path), .text(file.toolVersion),
             .text(file.rulePacks), .text(file.chain), .integer(file.ingested)]
        ) { try $0.decode(Int64.self) }
        guard let id = ids.first else { throw CaseError("\(store.url): record \(file.path): no id returned") }
        return id
    }

    func insert(_ flows: [FlowRow]) throws {
        guard !flows.isEmpty else { return }
        let buffer = ByteBuffer(bytes: CopyText.rows(flows))
        try store.session.withConnection("store flows") { connection, logger in
            try await connection.copyFrom(table: "flows", columns: PostgresCaseIngest.copyColumns, logger: logger) { writer in
                try await writer.write(buffer)
            }
        }
    }

    func finishFile(id: Int64, outcome: FileOutcome) throws {
        try store.session.execute(
            "record the outcome of file \(id)",
            """
            UPDATE files SET packets = $1, first_packet = $2, last_packet = $3, status = $4, error = $5, \
            sha256 = COALESCE($6, sha256), size = COALESCE($7, size), chain = COALESCE($8, chain) WHERE id = $9
            """,
            [.integer(Int64(clamping: outcome.packets)), outcome.firstPacket.map(SQLValue.integer) ?? .null,
             outcome.lastPacket.map(SQLValue.integer) ?? .null, .text(outcome.status.rawValue),
             outcome.error.map(SQLValue.text) ?? .null, outcome.digest.map { .text($0.sha256) } ?? .null,
             outcome.digest.map { .integer(Int64(clamping: $0.size)) } ?? .null, outcome.chain.map(SQLValue.text) ?? .null, .integer(id)])
    }

    func commit() throws {
        guard open else { throw CaseError("\(store.url): ingest already ended") }
        do {
            try beforeCommit?()
            try store.session.execute("commit", "COMMIT")
        } catch {
            rollback()
            throw error
        }
        open = false
    }

    func rollback() {
        guard open else { return }
        open = false
        try? store.session.execute("rollback", "ROLLBACK")
    }
}

/// COPY's text format: one line per row, columns separated by tabs, `\N` for NULL,
/// backslash, tab, newline and carriage return escaped. Addresses go as text, which
/// the `inet` columns parse.
enum CopyText {
    static func rows(_ flows: [FlowRow]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(flows.count * 1_024)
        for flow in flows {
            for (index, value) in flow.values.enumerated() {
                if index > 0 { out.append(0x09) }
                append(value, to: &out)
            }
            out.append(0x0A)
        }
        return out
    }

    static func append(_ value: SQLValue, to out: inout [UInt8]) {
        switch value {
        case .null:
            out.append(0x5C)
            out.append(UInt8(ascii: "N"))
        case .integer(let number):
            out.append(contentsOf: String(number).utf8)
        case .text(let text):
            for byte in text.utf8 {
                switch byte {
                case 0x5C: out.append(0x5C); out.append(0x5C)
                case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
                case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
                default: out.append(byte)
                }
            }
        case .blob(let bytes):
            if let address = IPAddress(sixteenBytes: bytes) {
                out.append(contentsOf: address.description.utf8)
            } else {
                // Not an address: bytea hex input (`\\x…` once COPY's escaping is undone).
                out.append(contentsOf: "\\\\x".utf8)
                for byte in bytes { out.append(contentsOf: Hex.digits(byte)) }
            }
        }
    }
}

private enum Hex {
    static func digits(_ byte: UInt8) -> [UInt8] {
        let table = Array("0123456789abcdef".utf8)
        return [table[Int(byte >> 4)], table[Int(byte & 0x0F)]]
    }
}
