@testable import CasesPostgres
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

    func testServerListensOnLoopbackAndIsRemovedAfter() async throws {
        let server = try XCTUnwrap(server)
        XCTAssertEqual(try server.psql("SHOW listen_addresses").trimmingCharacters(in: .whitespacesAndNewlines), "127.0.0.1")
        let session = try await PostgresSession.connect(try PostgresCaseURL(parsing: server.url))
        let rows = try await session.connection.query("SELECT current_database(), inet_server_addr()::text", logger: session.logger)
        for try await (database, address) in rows.decode((String, String).self) {
            XCTAssertEqual(database, "cases")
            XCTAssertEqual(address, "127.0.0.1/32")
        }
        await session.close()
        let folder = server.folder
        server.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path))
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
