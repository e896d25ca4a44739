extension CaseSchema {
    /// The scale-out queue of a PostgreSQL case (`case ingest --queue`, `cipherscope
    /// worker`); an SQLite case has no workers and no such table. One row per
    /// delivery chain: `paths` (its files in order, one per line), `chain` (its name,
    /// empty: the ingest's default), `state` (`queued` → `claimed` → `done`, or
    /// `failed` after `attempts` reached the limit), the lease (`lease_owner`,
    /// `lease_expires`: a claimed unit whose lease expired is claimable again),
    /// `error` (the last failed attempt's), `registered` and `finished`.
    static let workQueuePostgres = [
        """
        CREATE TABLE work_units (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, chain TEXT NOT NULL, paths TEXT NOT NULL UNIQUE, \
        state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'claimed', 'done', 'failed')), lease_owner TEXT, \
        lease_expires TIMESTAMPTZ, attempts INTEGER NOT NULL DEFAULT 0, error TEXT, \
        registered TIMESTAMPTZ NOT NULL DEFAULT now(), finished TIMESTAMPTZ)
        """,
        "CREATE INDEX work_units_open ON work_units (id) WHERE state IN ('queued', 'claimed')",
    ]
}
