/// A case: every flow of an investigation in one database, with the capture files
/// they were read from. The commands (`cipherscope case …`) talk to a case only
/// through `CaseStore` and `CaseIngest`, so the embedded SQLite file
/// (`SQLiteCaseStore`) and a PostgreSQL server implement the same logical schema
/// (`CaseSchema`) behind the same calls.
///
/// Calls are synchronous (the CLI is); an engine with an asynchronous client
/// waits for it inside. Every call throws `CaseError` with a message that names the
/// case (and the file or value) at fault.
public protocol CaseStore: AnyObject {
    /// Creates a new, empty case at `location` (refused if one is there already).
    static func create(at location: CaseLocation, info: NewCaseInfo) throws -> Self
    /// Opens an existing case: refuses what is not a cipherscope case, and a case
    /// written by a newer schema version than this build knows (`CaseSchema.version`);
    /// migrates an older one forward (each migration in its own transaction).
    static func open(_ location: CaseLocation) throws -> Self

    /// The `case_info` row.
    func info() throws -> CaseInfo
    /// Every ingested file, in ingest order.
    func files() throws -> [CaseFile]
    /// The file already ingested with this SHA-256 (lower-case hex), if any.
    func file(sha256: String) throws -> CaseFile?
    /// Starts one ingest transaction (one delivery chain): nothing it writes is
    /// visible, or kept, until `commit()`.
    func beginIngest() throws -> any CaseIngest
    /// The flows matching `query`, sorted by first_seen (then flow id), one at a time
    /// (the engine streams: no result set held whole in memory).
    func flows(matching query: FlowQuery, _ body: (StoredFlow) throws -> Void) throws
    /// Flow counts and bytes grouped by platform, client address and UTC day.
    func summary() throws -> [CaseSummaryRow]
    /// Closes the connection (also done when the store is released).
    func close()
}

/// One ingest transaction. Files are added first (their flows point to them), the
/// flows follow in bounded batches as the analysis ends them, the files' outcomes
/// last; then `commit()`. Anything else (an error, a kill) leaves the case as it was.
public protocol CaseIngest: AnyObject {
    /// Records a file about to be read; returns its id in `files`.
    func addFile(_ file: NewCaseFile) throws -> Int64
    /// Stores a batch of flows (the caller keeps batches bounded: `CaseSchema.batchSize`).
    func insert(_ flows: [FlowRow]) throws
    /// What reading the file found: packets, times, damage.
    func finishFile(id: Int64, outcome: FileOutcome) throws
    func commit() throws
    /// Drops everything written since `beginIngest` (also when released uncommitted).
    func rollback()
}

/// Where a case is: a path (SQLite) or a `postgresql://` / `postgres://` URL.
public enum CaseLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    public init(_ text: String) {
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            self = .postgres(url: text)
        } else {
            self = .sqlite(path: text)
        }
    }

    /// How messages name the case (a URL without its password).
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return CaseLocation.withoutPassword(url)
        }
    }

    static func withoutPassword(_ url: String) -> String {
        let text = Array(url)
        guard let schemeEnd = (0..<max(0, text.count - 2)).first(where: { text[$0] == ":" && text[$0 + 1] == "/" && text[$0 + 2] == "/" }),
              let at = text[(schemeEnd + 3)...].firstIndex(of: "@"),
              let colon = text[(schemeEnd + 3)..<at].firstIndex(of: ":")
        else { return url }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}

/// A failure on a case, in one line that names the case.
public struct CaseError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
