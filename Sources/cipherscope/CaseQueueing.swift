import ArgumentParser
import Basics
import Capture
import Cases
import CasesPostgres
import Foundation

/// `case ingest --queue`: the chain's files (directories expanded, paths made
/// absolute so that workers elsewhere find them on shared storage) become one unit
/// of `work_units`; nothing is read here.
enum CaseQueueing {
    static func register(_ location: String, paths: [String], chain: String?, quiet: Bool) throws {
        guard case .postgres = CaseLocation(location) else {
            throw CommandFailure("cipherscope: error: --queue needs a PostgreSQL case (postgresql://…): workers share it")
        }
        let expanded = CaptureInputs.expand(paths)
        for error in expanded.errors { FileHandleOutput.standardError("cipherscope: error: \(error)\n") }
        guard expanded.errors.isEmpty else { throw ExitCode(2) }
        guard !expanded.paths.contains("-") else {
            throw CommandFailure("cipherscope: error: -: standard input cannot be queued; save it to a file")
        }
        let folder = FileManager.default.currentDirectoryPath
        let absolute = expanded.paths.map { $0.hasPrefix("/") ? $0 : folder + "/" + $0 }
        let store = try CaseStores.open(location)
        defer { store.close() }
        guard let postgres = store as? PostgresCaseStore else { throw CommandFailure("cipherscope: error: not a PostgreSQL case") }
        let unit = try CaseStores.guarded { try PostgresWorkQueue(store: postgres).register(chain: chain, paths: absolute) }
        if !quiet {
            let what = unit.new ? "queued as unit \(unit.id)" : "already queued as unit \(unit.id) (\(unit.state)); nothing added"
            FileHandleOutput.standardError("cipherscope: \(absolute.count) files \(what)\n")
        }
    }
}
