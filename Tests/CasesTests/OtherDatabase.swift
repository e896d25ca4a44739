import GRDB

/// Plain SQLite access for the tests that make or spoil databases behind cipherscope's back.
struct OtherDatabase {
    let queue: DatabaseQueue

    init(path: String) throws { queue = try DatabaseQueue(path: path) }

    func execute(_ sql: String) throws {
        try queue.write { db in try db.execute(sql: sql) }
    }
}
