import Cases
@testable import CasesPostgres
import Decoding
import PostgresNIO
import TestSupport
import XCTest

/// The test server itself: it starts, PostgresNIO reaches it on loopback, it is removed after.
final class PostgresServerTests: XCTestCase {
    private var server: PostgresServer?

    override func setUpWithError() throws {
        if let reason = PostgresServer.unavailableReason { throw XCTSkip(reason) }
        server = try PostgresServer()
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    func testServerListensOnLoopbackAndIsRemovedAfter() throws {
        let server = try XCTUnwrap(server)
        XCTAssertEqual(try server.psql("SHOW listen_addresses").trimmingCharacters(in: .whitespacesAndNewlines), "127.0.0.1")
        let session = try PostgresSession.connect(try PostgresCaseURL(parsing: server.url))
        let rows = try session.rows("check", "SELECT current_database(), host(inet_server_addr())") { try $0.decode((String, String).self) }
        XCTAssertEqual(rows.first?.0, "cases")
        XCTAssertEqual(rows.first?.1, "127.0.0.1")
        session.close()
        let folder = server.folder
        server.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path))
    }

    /// COPY's text escaping: what goes in comes back byte for byte.
    func testCopyTextRoundTrip() throws {
        let server = try XCTUnwrap(server)
        let session = try PostgresSession.connect(try PostgresCaseURL(parsing: server.url))
        defer { session.close() }
        try session.execute("create", "CREATE TABLE t (a TEXT, b BIGINT, c INET)")
        let tricky = "tab\there \\ back\\slash \nnewline\r\\N é"
        let row = FlowRow(values: [.text(tricky), .integer(-7), .blob(IPAddress("2001:db8::1")!.sixteenBytes)])
        let bytes = CopyText.rows([row, FlowRow(values: [.null, .null, .blob(IPAddress("10.1.2.3")!.sixteenBytes)])])
        try session.withConnection("copy") { connection, logger in
            try await connection.copyFrom(table: "t", columns: ["a", "b", "c"], logger: logger) { writer in
                try await writer.write(ByteBuffer(bytes: bytes))
            }
        }
        let back = try session.rows("read", "SELECT a, b, host(c) FROM t ORDER BY c") { try $0.decode((String?, Int64?, String).self) }
        XCTAssertEqual(back.count, 2)
        XCTAssertEqual(back[0].0, nil)
        XCTAssertEqual(back[0].2, "10.1.2.3")
        XCTAssertEqual(back[1].0, tricky)
        XCTAssertEqual(back[1].1, -7)
        XCTAssertEqual(back[1].2, "2001:db8::1")
    }

    func testURLParsing() throws {
        let url = try PostgresCaseURL(parsing: "postgresql://alice:s%40cret@[::1]:6543/case_7")
        XCTAssertEqual(url, PostgresCaseURL(user: "alice", password: "s@cret", host: "::1", port: 6543, database: "case_7"))
        XCTAssertEqual(url.description, "postgresql://alice@[::1]:6543/case_7")
        XCTAssertEqual(try PostgresCaseURL(parsing: "postgres://bob@db.example/c").port, 5432)
        XCTAssertThrowsError(try PostgresCaseURL(parsing: "postgresql://bob@host:99999/c"))
        XCTAssertThrowsError(try PostgresCaseURL(parsing: "postgresql://bob@host"))
        XCTAssertFalse(PostgresCaseURL.isPostgres("case.db"))
    }
}
