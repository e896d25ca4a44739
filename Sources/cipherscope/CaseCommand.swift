import ArgumentParser
import Basics
import Cases
import CasesPostgres
import Custody
import Reports

/// `cipherscope case …`: every flow of an investigation in one database.
struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Keep the flows of a case in a database (an SQLite file, or PostgreSQL), query and verify it.",
        discussion: "CASE is a path (an SQLite file) or a postgresql://user@host:port/db URL.",
        subcommands: [CaseInit.self, CaseIngestCommand.self, CaseQueryCommand.self, CaseSummaryCommand.self, CaseFilesCommand.self,
                      CaseVerifyCommand.self]
    )
}

/// Opens a case by its location; the one place that knows the engines.
enum CaseStores {
    static func location(_ text: String) -> CaseLocation { CaseLocation(text) }

    static func open(_ text: String) throws -> any CaseStore {
        do {
            switch location(text) {
            case .sqlite: return try SQLiteCaseStore.open(location(text))
            case .postgres: return try PostgresCaseStore.open(location(text))
            }
        } catch let error as CaseError {
            throw CommandFailure("\(error)")
        }
    }

    static func create(_ text: String, info: NewCaseInfo) throws -> any CaseStore {
        do {
            switch location(text) {
            case .sqlite: return try SQLiteCaseStore.create(at: location(text), info: info)
            case .postgres: return try PostgresCaseStore.create(at: location(text), info: info)
            }
        } catch let error as CaseError {
            throw CommandFailure("\(error)")
        }
    }

    /// Runs `body`, reporting a case error in one line (exit 1).
    static func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CaseError {
            throw CommandFailure("\(error)")
        }
    }
}

struct CaseInit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a new, empty case.")

    @Argument(help: "The case: a new SQLite file's path, or a postgresql:// URL.")
    var location: String

    @Option(name: .long, help: "The case's identifier (as in the custody manifest).")
    var caseID: String?

    @Option(name: .customLong("operator"), help: "Who runs the case.")
    var operatorName: String?

    @Option(name: .long, help: "The case's marking: CLEAR, GREEN, AMBER, AMBER+STRICT or RED (TLP 2.0).")
    var tlp: String?

    func validate() throws {
        if let tlp, CaseInit.marking(tlp) == nil {
            throw ValidationError("--tlp '\(tlp)': expected CLEAR, GREEN, AMBER, AMBER+STRICT or RED.")
        }
    }

    static func marking(_ text: String) -> String? {
        var upper = text.uppercased()
        if upper.hasPrefix("TLP:") { upper.removeFirst(4) }
        return ["CLEAR", "WHITE", "GREEN", "AMBER", "AMBER+STRICT", "RED"].contains(upper) ? "TLP:" + (upper == "WHITE" ? "CLEAR" : upper) : nil
    }

    func run() throws {
        let store = try CaseStores.create(location, info: NewCaseInfo(
            caseID: caseID, operatorName: operatorName, tlp: tlp.flatMap(CaseInit.marking), created: SystemClock.wall()))
        store.close()
        FileHandleOutput.standardError("cipherscope: case created: \(CaseStores.location(location)) (schema version \(CaseSchema.version))\n")
    }
}

struct CaseFilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "files", abstract: "List the files ingested, with their hashes and status.")

    @Argument(help: "The case.")
    var location: String

    func run() throws {
        let store = try CaseStores.open(location)
        defer { store.close() }
        let files = try CaseStores.guarded { try store.files() }
        let rows = files.map { file -> [String] in
            [String(file.id), file.sha256, String(file.size), file.status, String(file.flows), file.firstPacket.map { TimeFormat.rfc3339($0, nanosecondDigits: false) } ?? "-",
             file.lastPacket.map { TimeFormat.rfc3339($0, nanosecondDigits: false) } ?? "-", file.chain, file.path,
             file.error ?? ""]
        }
        let header = ["ID", "SHA256", "SIZE", "STATUS", "FLOWS", "FIRST PACKET", "LAST PACKET", "CHAIN", "PATH", "ERROR"]
        try FileIO.writeAll(1, StoredRecordFormats.table(rows, header: header))
    }
}

struct CaseSummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary", abstract: "Flows per platform over the whole case, per client and per day.")

    @Argument(help: "The case.")
    var location: String

    func run() throws {
        let store = try CaseStores.open(location)
        defer { store.close() }
        let groups = try CaseStores.guarded { try store.summary() }
        try FileIO.writeAll(1, CaseSummaryText.text(groups))
    }
}

struct CaseVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash the ingested files still present against the recorded SHA-256.",
        discussion: "Exit status 1 when a file's content changed (each named). A file no longer at its path is reported as missing, which is not an error: deliveries are often moved to archive once ingested.")

    @Argument(help: "The case.")
    var location: String

    func run() throws {
        let store = try CaseStores.open(location)
        defer { store.close() }
        let files = try CaseStores.guarded { try store.files() }
        var changed = 0, missing = 0, same = 0
        for file in files {
            switch Digests.file(file.path) {
            case .failure(let error):
                missing += 1
                try FileIO.writeAll(1, "missing  \(file.path)  (\(error.message))\n")
            case .success(let digest):
                if digest.sha256 == file.sha256 && digest.size == file.size {
                    same += 1
                    try FileIO.writeAll(1, "ok       \(file.path)\n")
                } else {
                    changed += 1
                    try FileIO.writeAll(1, "CHANGED  \(file.path)  recorded sha256 \(file.sha256) size \(file.size), now sha256 \(digest.sha256) size \(digest.size)\n")
                }
            }
        }
        FileHandleOutput.standardError("cipherscope: \(files.count) files: \(same) unchanged, \(changed) changed, \(missing) missing\n")
        if changed > 0 { throw ExitCode(1) }
    }
}
