import Cases
import Foundation
import PostgresNIO

/// One delivery chain to ingest: the work a worker claims.
public struct WorkUnit: Sendable, Equatable {
    public var id: Int64
    /// nil: the ingest's default name (`chain-` and the first new file's hash).
    public var chain: String?
    /// The chain's files, in order.
    public var paths: [String]
    public var attempts: Int
}

/// The scale-out queue of a PostgreSQL case (table `work_units`). `register` only
/// records work; workers `claim` a unit under a lease with `FOR UPDATE SKIP LOCKED`,
/// keep the lease alive (`LeaseKeeper`) while they read it, and commit its flows and
/// its `done` mark in one transaction (`completeWithIngest`), which fails when the
/// lease was lost to another worker: every flow is stored exactly once.
public final class PostgresWorkQueue {
    public let store: PostgresCaseStore
    /// Attempts that failed with an error (not a lost lease) before a unit is `failed`.
    public static let maxAttempts = 3

    public init(store: PostgresCaseStore) { self.store = store }

    /// Registers a chain; returns its unit id and whether it was new (the same paths again: no new unit).
    public func register(chain: String?, paths: [String]) throws -> (id: Int64, state: String, new: Bool) {
        if let bad = paths.first(where: { $0.contains("\n") }) {
            throw CaseError("\(store.url): \(bad.debugDescription): a queued path cannot hold a newline")
        }
        let joined = paths.joined(separator: "\n")
        let inserted = try store.session.rows(
            "queue", "INSERT INTO work_units (chain, paths) VALUES ($1, $2) ON CONFLICT (paths) DO NOTHING RETURNING id, state",
            [.text(chain ?? ""), .text(joined)]) { try $0.decode((Int64, String).self) }
        if let row = inserted.first { return (row.0, row.1, true) }
        let existing = try store.session.rows("queue", "SELECT id, state FROM work_units WHERE paths = $1", [.text(joined)]) {
            try $0.decode((Int64, String).self)
        }
        guard let row = existing.first else { throw CaseError("\(store.url): queue: unit vanished") }
        return (row.0, row.1, false)
    }

    /// Claims the oldest unit that is queued or whose lease expired, for `leaseSeconds`; nil when none is free.
    public func claim(owner: String, leaseSeconds: Int) throws -> WorkUnit? {
        let rows = try store.session.rows(
            "claim work",
            """
            UPDATE work_units SET state = 'claimed', lease_owner = $1, lease_expires = now() + make_interval(secs => $2), \
            attempts = attempts + 1 \
            WHERE id = (SELECT id FROM work_units WHERE state = 'queued' OR (state = 'claimed' AND lease_expires < now()) \
            ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1) \
            RETURNING id, chain, paths, attempts
            """,
            [.text(owner), .integer(Int64(leaseSeconds))]) { try $0.decode((Int64, String, String, Int32).self) }
        guard let row = rows.first else { return nil }
        return WorkUnit(id: row.0, chain: row.1.isEmpty ? nil : row.1, paths: row.2.split(separator: "\n").map(String.init),
                        attempts: Int(row.3))
    }

    /// Units not yet done or failed (queued, or claimed by a worker, alive or not).
    public func open() throws -> Int {
        try store.session.rows("read the queue", "SELECT COUNT(*) FROM work_units WHERE state IN ('queued', 'claimed')") {
            try $0.decode(Int64.self)
        }.first.map(Int.init) ?? 0
    }

    /// Every unit: id, state, attempts, chain, error (for `case files`-like listings and tests).
    public func units() throws -> [(id: Int64, state: String, attempts: Int, error: String?)] {
        try store.session.rows("read the queue", "SELECT id, state, attempts, error FROM work_units ORDER BY id") {
            let (id, state, attempts, error) = try $0.decode((Int64, String, Int32, String?).self)
            return (id, state, Int(attempts), error)
        }
    }

    /// Makes the next ingest on this store mark `unit` done in its own transaction,
    /// just before COMMIT; the commit fails if `owner` no longer holds the lease.
    /// `holdSeconds` waits that long first (the kill test uses it to find a worker mid-unit).
    public func completeWithIngest(_ unit: WorkUnit, owner: String, holdSeconds: Double = 0) {
        let session = store.session
        store.beforeIngestCommit = {
            if holdSeconds > 0 { usleep(UInt32(min(holdSeconds, 3_600) * 1_000_000)) }
            try PostgresWorkQueue.markDone(unit, owner: owner, session: session)
        }
    }

    /// True while a `completeWithIngest` mark waits for an ingest (none began: nothing new to store).
    public var completionPending: Bool { store.beforeIngestCommit != nil }

    public func cancelCompletion() { store.beforeIngestCommit = nil }

    /// Marks `unit` done on its own (a chain whose files were all in the case already).
    public func markDone(_ unit: WorkUnit, owner: String) throws {
        try PostgresWorkQueue.markDone(unit, owner: owner, session: store.session)
    }

    private static func markDone(_ unit: WorkUnit, owner: String, session: PostgresSession) throws {
        let updated = try session.rows(
            "finish unit \(unit.id)",
            """
            UPDATE work_units SET state = 'done', lease_owner = NULL, lease_expires = NULL, finished = now(), error = NULL \
            WHERE id = $1 AND lease_owner = $2 AND state = 'claimed' RETURNING id
            """,
            [.integer(unit.id), .text(owner)]) { try $0.decode(Int64.self) }
        guard !updated.isEmpty else {
            throw CaseError("\(session.url): unit \(unit.id): the lease was lost to another worker; its flows are not stored by this one")
        }
    }

    /// Gives a unit back after an error: queued again, or `failed` after `maxAttempts`.
    public func release(_ unit: WorkUnit, owner: String, error: String) throws {
        try store.session.execute(
            "release unit \(unit.id)",
            """
            UPDATE work_units SET state = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'queued' END, lease_owner = NULL, \
            lease_expires = NULL, error = $4 WHERE id = $1 AND lease_owner = $2 AND state = 'claimed'
            """,
            [.integer(unit.id), .text(owner), .integer(Int64(Self.maxAttempts)), .text(error)])
    }
}

/// Renews a unit's lease on a connection of its own every third of the lease, while
/// the worker's main connection is busy with the ingest transaction. A worker that
/// dies stops renewing, and its lease runs out.
public final class LeaseKeeper: Sendable {
    private let task: Task<Void, Never>

    public init(url: PostgresCaseURL, unit: WorkUnit, owner: String, leaseSeconds: Int) throws {
        let session = try PostgresSession.connect(url)
        let connection = session.connection, logger = session.logger
        let period = UInt64(max(1, leaseSeconds)) * 1_000_000_000 / 3
        task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: period)
                if Task.isCancelled { break }
                let query = PostgresSession.query(
                    """
                    UPDATE work_units SET lease_expires = now() + make_interval(secs => $3) \
                    WHERE id = $1 AND lease_owner = $2 AND state = 'claimed'
                    """,
                    [.integer(unit.id), .text(owner), .integer(Int64(leaseSeconds))])
                _ = try? await connection.query(query, logger: logger)
            }
            try? await connection.close()
        }
    }

    public func stop() {
        task.cancel()
    }
}
