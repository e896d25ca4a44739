import Basics
import Reports
import Rules

/// The chain-of-custody record of one run (`--manifest FILE`): which tool, run by
/// whom for which case, read which inputs (SHA-256 of each), with which rule packs,
/// and wrote which files (SHA-256 of each). README "Chain of custody" documents every key.
public struct CustodyManifest: Sendable {
    /// The format of this record; a reader refuses a value it does not know.
    public static let format = "cipherscope-custody/1"

    public struct Tool: Sendable {
        public var name: String
        public var version: String
        /// Nil: "unknown" (see `SourceCommit`).
        public var sourceCommit: String?

        public init(name: String, version: String, sourceCommit: String?) {
            self.name = name
            self.version = version
            self.sourceCommit = sourceCommit
        }
    }

    public struct Input: Sendable {
        public var path: String
        public var digest: FileDigest?
        public var firstPacket: Int64?
        public var lastPacket: Int64?
        public var packets: UInt64
        public var error: String?
    }

    public struct RulePackEntry: Sendable {
        public var id: String
        public var version: String
        public var tlp: TLP
        public var manifestSHA256: String?
        /// Nil: "unsigned".
        public var signingKeyID: String?
        /// The signature was checked against the --trust keys (the run refuses a bad one).
        public var signatureVerified: Bool
        public var path: String
    }

    public struct Output: Sendable {
        public var path: String
        public var digest: FileDigest
    }

    public var tool: Tool
    public var commandLine: [String]
    public var caseID: String?
    public var operatorName: String?
    public var started: Int64
    public var ended: Int64
    public var inputs: [Input] = []
    public var rulePacks: [RulePackEntry] = []
    /// The key id of the Crypto-PAn key when addresses were pseudonymised, else nil.
    public var pseudonymisationKeyID: String?
    public var outputs: [Output] = []
    public var flows: UInt64 = 0
    public var packets: UInt64 = 0
    public var inputErrors: [String] = []

    /// A record to fill in (the recorder's, or one rebuilt from a stored case).
    public init(tool: Tool, commandLine: [String], caseID: String?, operatorName: String?, started: Int64, ended: Int64) {
        self.tool = tool
        self.commandLine = commandLine
        self.caseID = caseID
        self.operatorName = operatorName
        self.started = started
        self.ended = ended
    }

    /// A marking recorded elsewhere (a case's TLP), counted with the packs'.
    public var recordedMarking: TLP?

    /// The most restrictive TLP of the packs used and the recorded marking (nil without either).
    public var marking: TLP? { (rulePacks.map(\.tlp) + [recordedMarking].compactMap { $0 }).max() }

    public func json() -> String {
        var object = JSONObject(capacity: 4096)
        object.add("manifest_format", Self.format)
        object.addObject("tool") { tool in
            tool.add("name", self.tool.name)
            tool.add("version", self.tool.version)
            tool.add("source_commit", self.tool.sourceCommit ?? "unknown")
        }
        object.add("command_line", strings: commandLine)
        Self.add(&object, "case_id", caseID)
        Self.add(&object, "operator", operatorName)
        object.add("started_utc", time: started, nanosecondDigits: false)
        object.add("ended_utc", time: ended, nanosecondDigits: false)
        object.addObjects("inputs", inputs) { input, entry in
            entry.add("path", input.path)
            Self.add(&entry, "size", input.digest?.size)
            Self.add(&entry, "sha256", input.digest?.sha256)
            if let first = input.firstPacket { entry.add("first_packet_utc", time: first, nanosecondDigits: true) } else { entry.add("first_packet_utc", raw: "null") }
            if let last = input.lastPacket { entry.add("last_packet_utc", time: last, nanosecondDigits: true) } else { entry.add("last_packet_utc", raw: "null") }
            entry.add("packets", input.packets)
            if let error = input.error { entry.add("error", error) }
        }
        object.addObjects("rule_packs", rulePacks) { pack, entry in
            entry.add("id", pack.id)
            entry.add("version", pack.version)
            entry.add("tlp", pack.tlp.label)
            Self.add(&entry, "manifest_sha256", pack.manifestSHA256)
            entry.add("signing_key_id", pack.signingKeyID ?? "unsigned")
            entry.add("signature_verified", pack.signatureVerified)
            entry.add("path", pack.path)
        }
        Self.add(&object, "marking", marking?.label)
        Self.add(&object, "pseudonymisation_key_id", pseudonymisationKeyID)
        object.addObjects("outputs", outputs) { output, entry in
            entry.add("path", output.path)
            entry.add("size", output.digest.size)
            entry.add("sha256", output.digest.sha256)
        }
        object.addObject("summary") { summary in
            summary.add("flows", flows)
            summary.add("packets", packets)
            summary.add("input_errors", strings: inputErrors)
        }
        return object.closed + "\n"
    }

    static func add(_ object: inout JSONObject, _ name: StaticString, _ value: String?) {
        if let value { object.add(name, value) } else { object.add(name, raw: "null") }
    }

    static func add(_ object: inout JSONObject, _ name: StaticString, _ value: UInt64?) {
        if let value { object.add(name, value) } else { object.add(name, raw: "null") }
    }
}

/// Gathers a manifest over a run: opened (its file reserved, atomically) before the
/// run so a folder that cannot take it fails before any work, filled in as the run
/// goes, written and committed last, after the outputs it lists.
public final class CustodyRecorder {
    public private(set) var manifest: CustodyManifest
    private let file: OutputFile?
    private var inputHashing: BackgroundWork<[String: Result<FileDigest, CustodyError>]>?
    private var standardInput: StandardInputTee?

    /// Hook for `--pseudonymise`: the caller sets the Crypto-PAn key's id (never the key).
    public var pseudonymisationKeyID: String? {
        get { manifest.pseudonymisationKeyID }
        set { manifest.pseudonymisationKeyID = newValue }
    }

    /// Reserves `path` (refusing an existing file unless `force`, as every output does);
    /// nil `path`: the facts are gathered for the caller (the HTML report) and no file is written.
    public init(path: String?, force: Bool, version: String, executable: String, commandLine: [String],
                caseID: String?, operatorName: String?) throws(OutputError) {
        if path == "-" { throw OutputError(path: "-", message: "the manifest must be a file") }
        file = try path.map { path throws(OutputError) in try OutputFile.open(path, force: force) }
        manifest = CustodyManifest(
            tool: .init(name: "cipherscope", version: version, sourceCommit: SourceCommit.find(executable: executable)),
            commandLine: commandLine, caseID: caseID, operatorName: operatorName,
            started: SystemClock.wall(), ended: 0)
    }

    /// The packs the run uses, described as loaded (`verified`: checked against --trust keys).
    public func noteRulePacks(_ packs: [RulePack], verified: Bool) {
        for pack in packs {
            let manifestPath = pack.path.hasSuffix("/") ? pack.path + "pack.yaml" : pack.path + "/pack.yaml"
            manifest.rulePacks.append(.init(
                id: pack.manifest.id, version: pack.manifest.version, tlp: pack.manifest.tlp,
                manifestSHA256: (try? Digests.file(manifestPath).get())?.sha256,
                signingKeyID: PackVerifier.signingKeyID(packPath: pack.path),
                signatureVerified: verified, path: pack.path))
        }
    }

    /// Starts hashing the input files (a streaming pass on its own thread, beside the
    /// analysis) and, for "-", the copy that hashes standard input as it is read.
    public func startInputs(_ paths: [String]) {
        if paths.contains("-") { standardInput = StandardInputTee.start() }
        let files = paths.filter { $0 != "-" }
        inputHashing = BackgroundWork {
            var digests: [String: Result<FileDigest, CustodyError>] = [:]
            for path in files where digests[path] == nil { digests[path] = Digests.file(path) }
            return digests
        }
    }

    /// The inputs as the run read them (its per-file statistics), plus the paths it
    /// could not expand (`unexpanded`, with their errors) first.
    public func finishInputs(_ summary: RunSummary, unexpanded: [(path: String, error: String)]) {
        let stdinDigest = standardInput?.finish()
        let digests = inputHashing?.join() ?? [:]
        for item in unexpanded {
            manifest.inputs.append(.init(path: item.path, digest: nil, firstPacket: nil, lastPacket: nil, packets: 0, error: item.error))
        }
        for stats in summary.files {
            var digest: FileDigest?
            var error = stats.error
            if stats.path == "-" {
                digest = stdinDigest
            } else {
                switch digests[stats.path] ?? Digests.file(stats.path) {
                case .success(let value): digest = value
                case .failure(let failure): if error == nil { error = "cannot hash: \(failure.message)" }
                }
            }
            manifest.inputs.append(.init(path: stats.path, digest: digest, firstPacket: stats.firstPacket,
                                         lastPacket: stats.lastPacket, packets: stats.frames, error: error))
        }
        manifest.flows = summary.flows
        manifest.packets = summary.packets
        manifest.inputErrors = summary.inputErrors
    }

    /// The inputs of a run over log files (`classify`): each file hashed; logs have no
    /// packets to count or time, so those stay 0 and null.
    public func finishLogInputs(_ paths: [String], summary: RunSummary) {
        let digests = inputHashing?.join() ?? [:]
        for path in paths {
            var digest: FileDigest?
            var error: String?
            switch digests[path] ?? Digests.file(path) {
            case .success(let value): digest = value
            case .failure(let failure): error = "cannot hash: \(failure.message)"
            }
            manifest.inputs.append(.init(path: path, digest: digest, firstPacket: nil, lastPacket: nil, packets: 0, error: error))
        }
        manifest.flows = summary.flows
        manifest.inputErrors = summary.inputErrors
    }

    /// Adds facts recorded elsewhere (a case's files, packs and marking) to the manifest.
    public func amend(_ change: (inout CustodyManifest) -> Void) {
        change(&manifest)
    }

    /// Lists a file the run wrote and committed (regular files only: not "-", pipes or devices).
    public func noteOutput(_ path: String) {
        guard path != "-", FileIO.kind(of: path) == .file, case .success(let digest) = Digests.file(path) else { return }
        manifest.outputs.append(.init(path: path, digest: digest))
    }

    /// Stamps the end of the run (once: a later call keeps the first time), for a
    /// caller that shows the manifest before committing it.
    public func stampEnd() {
        if manifest.ended == 0 { manifest.ended = SystemClock.wall() }
    }

    /// Stamps the end time (unless stamped) and writes the manifest atomically (0600).
    public func commit() throws(OutputError) {
        stampEnd()
        guard let file else { return }
        try file.write(manifest.json())
        try file.commit()
    }
}
