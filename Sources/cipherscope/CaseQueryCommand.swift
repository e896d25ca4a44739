import ArgumentParser
import Basics
import Cases
import Custody
import Decoding
import Pseudonymisation

struct CaseQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print the flows of a case that match every filter given, sorted by first_seen.",
        discussion: """
            --format jsonl prints the records exactly as analyze wrote them. Names (--sni, --dns) \
            match exactly, or with a leading . or *. the name and every name below it. --from/--to \
            take RFC 3339 times, UTC days (2024-03-01; --to includes the whole day) or epoch seconds, \
            and select the flows seen at any moment in between. --pseudonymise maps every \
            address of the records (and recomputes community_id) as analyze --pseudonymise \
            does; filters still match the real addresses stored in the case.
            """
    )

    @Argument(help: "The case.")
    var location: String

    @Option(name: .long, help: "Output format: table (default on a terminal), jsonl or csv.")
    var format: QueryFormat?

    @Option(name: .long, help: "Flows seen at or after this time.") var from: String?
    @Option(name: .long, help: "Flows seen at or before this time.") var to: String?
    @Option(name: .long, help: "An address or CIDR network at either end (repeatable: any).") var addr: [String] = []
    @Option(name: .long, help: "A port at either end (repeatable: any).") var port: [UInt16] = []
    @Option(name: .long, help: "tcp, udp, icmp …") var proto: String?
    @Option(name: .long) var platform: String?
    @Option(name: .long) var service: String?
    @Option(name: .long) var activity: String?
    @Option(name: .long, help: "low, medium or high: flows at least this sure.") var minConfidence: String?
    @Option(name: .long, help: "TLS/QUIC server name: exact, or .name / *.name for the name and below.") var sni: String?
    @Option(name: .long, help: "The flow's DNS name (dns_name): exact, or .name / *.name.") var dns: String?
    @Option(name: .long) var ja3: String?
    @Option(name: .long) var ja4: String?
    @Option(name: .long) var ja4s: String?
    @Option(name: .long, help: "JA4X of the flow's leaf certificate.") var ja4x: String?
    @Option(name: .long) var communityID: String?
    @Option(name: .long, help: "Flows from this file: its SHA-256 or its path as ingested (repeatable: any).") var file: [String] = []

    @OptionGroup var pseudonymisation: PseudonymiseOptions
    @OptionGroup var custody: CustodyOptions

    enum QueryFormat: String, ExpressibleByArgument { case table, jsonl, csv }

    func validate() throws {
        if let from, CaseTime.parse(from) == nil { throw ValidationError("--from '\(from)': expected an RFC 3339 time, a day (YYYY-MM-DD) or epoch seconds.") }
        if let to, CaseTime.parse(to) == nil { throw ValidationError("--to '\(to)': expected an RFC 3339 time, a day (YYYY-MM-DD) or epoch seconds.") }
        for item in addr where AddressRange(item) == nil { throw ValidationError("--addr '\(item)': expected an address or CIDR network.") }
        if let minConfidence, !FlowQuery.confidences.contains(minConfidence) {
            throw ValidationError("--min-confidence '\(minConfidence)': expected low, medium or high.")
        }
    }

    func query(files: [CaseFile]) throws -> FlowQuery {
        var query = FlowQuery()
        query.from = from.flatMap { CaseTime.parse($0) }
        query.to = to.flatMap { CaseTime.parse($0, endOfDay: true) }
        query.networks = addr.compactMap(AddressRange.init)
        query.ports = port
        query.proto = proto
        query.platform = platform
        query.service = service
        query.activity = activity
        query.minConfidence = minConfidence
        query.sni = sni.map(NamePattern.init)
        query.dnsName = dns.map(NamePattern.init)
        query.ja3 = ja3
        query.ja4 = ja4
        query.ja4s = ja4s
        query.ja4x = ja4x
        query.communityID = communityID
        if !file.isEmpty {
            query.fileIDs = try file.flatMap { wanted -> [Int64] in
                let ids = files.filter { $0.sha256 == wanted.lowercased() || $0.path == wanted }.map(\.id)
                if ids.isEmpty { throw CommandFailure("--file '\(wanted)': no such file in the case (see `case files`)") }
                return ids
            }
        }
        return query
    }

    func run() throws {
        let pseudonymiser = try pseudonymisation.pseudonymiser()
        let store = try CaseStores.open(location)
        defer { store.close() }
        let query = try self.query(files: try CaseStores.guarded { try store.files() })
        let recorder = try custody.recorder(force: false)
        recorder?.pseudonymisationKeyID = pseudonymiser?.key.id
        if let recorder { try CaseSource.noteCase(store, in: recorder) }
        var unreadable = 0
        let chosen = format ?? (Terminal.isTerminal(1) ? .table : .jsonl)
        var output = BufferedOutput()
        var rows: [[String]] = []
        var count = 0
        if chosen == .csv { output.append(StoredRecordFormats.csvHeader) }
        try CaseStores.guarded {
            try store.flows(matching: query) { flow in
                var flow = flow
                if let pseudonymiser {
                    // A record that cannot be mapped is left out, never shown with its real addresses.
                    guard let mapped = StoredRecordFormats.pseudonymised(flow.record, by: pseudonymiser) else {
                        unreadable += 1
                        return
                    }
                    flow.record = mapped
                }
                count += 1
                switch chosen {
                case .jsonl:
                    output.append(flow.record)
                    output.append("\n")
                case .csv: output.append(StoredRecordFormats.csvRow(flow.record) ?? "\n")
                case .table: rows.append(StoredRecordFormats.tableCells(flow.record))
                }
                try output.flushIfFull()
            }
        }
        if chosen == .table { output.append(StoredRecordFormats.table(rows, header: StoredRecordFormats.tableHeader)) }
        try output.flush()
        if chosen == .table { FileHandleOutput.standardError("cipherscope: \(count) flows\n") }
        if unreadable > 0 { FileHandleOutput.standardError("cipherscope: warning: \(unreadable) stored records unreadable, left out\n") }
        if let recorder {
            recorder.amend { $0.flows = UInt64(count) }
            do { try recorder.commit() } catch { throw CommandFailure("cannot write manifest: \(error)") }
        }
    }
}

/// Standard output in 1 MiB writes.
struct BufferedOutput {
    private var bytes: [UInt8] = []

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func flushIfFull() throws { if bytes.count >= 1 << 20 { try flush() } }

    mutating func flush() throws {
        guard !bytes.isEmpty else { return }
        try bytes.withUnsafeBytes { try FileIO.writeAll(1, $0) }
        bytes.removeAll(keepingCapacity: true)
    }
}
