import Analysis
import Basics
import Capture
import Classifier
import Crypto
import Decoding
import Flows
import Reports

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which flows to extract: any of the flow ids (a first part's id also selects the
/// later parts of a split flow) or Community IDs, when given; then narrowed to a
/// platform and to a server name (TLS/QUIC SNI) ending in a suffix, when given.
public struct ExtractSelection: Sendable {
    public var flowIDs: [UInt64] = []
    public var communityIDs: [String] = []
    public var platform: String?
    /// A DNS suffix, matched on label boundaries ("signal.org" matches chat.signal.org).
    public var sniSuffix: String?
    /// A time range (ns since the epoch, UTC): flows active at some moment in it.
    public var from: Int64?
    public var until: Int64?

    public init() {}

    public var isEmpty: Bool { flowIDs.isEmpty && communityIDs.isEmpty && platform == nil && sniSuffix == nil && from == nil && until == nil }

    public func matches(_ report: FlowReport) -> Bool {
        let flow = report.summary
        if !flowIDs.isEmpty || !communityIDs.isEmpty {
            let byID = flowIDs.contains(flow.flowID) || (flow.splitIndex > 0 && flowIDs.contains(flow.splitOf))
            guard byID || communityIDs.contains(flow.communityID) else { return false }
        }
        if let platform {
            guard let label = report.classification?.platform, label.lowercased() == platform.lowercased() else { return false }
        }
        if let sniSuffix {
            let suffix = String(sniSuffix.lowercased().drop { $0 == "." })
            guard let sni = report.evidence?.tls?.sni?.lowercased(), sni == suffix || sni.hasSuffix("." + suffix) else { return false }
        }
        if let from, flow.lastSeen < from { return false }
        if let until, flow.firstSeen > until { return false }
        return true
    }

    /// The selection as command-line options, for the custody comment.
    public var description: String {
        var parts = flowIDs.map { "--flow \($0)" } + communityIDs.map { "--community-id \($0)" }
        if let platform { parts.append("--platform \(platform)") }
        if let sniSuffix { parts.append("--sni \(sniSuffix)") }
        if let from { parts.append("--from \(TimeFormat.rfc3339(from, nanosecondDigits: false))") }
        if let until { parts.append("--until \(TimeFormat.rfc3339(until, nanosecondDigits: false))") }
        return parts.joined(separator: " ")
    }
}

/// A flow chosen for extraction, as the analysis reported it.
public struct ExtractedFlow: Sendable {
    public var flowID: UInt64
    public var communityID: String
    public var splitOf: UInt64
    public var splitIndex: UInt32
    /// packets_c2s + packets_s2c: the frames the extract must hold for it.
    public var packets: UInt64
    public var platform: String?
    public var rule: String?
    public var sourceFile: String
    public var firstFrame: UInt64
    /// Frames copied into the extract.
    public var copied: UInt64 = 0

    /// The per-packet comment naming the flow.
    var comment: String {
        var text = "cipherscope flow_id=\(flowID)"
        if splitIndex > 0 { text += " split_of=\(splitOf) split_index=\(splitIndex)" }
        text += " community_id=\(communityID)"
        if let platform { text += " platform=\(platform)" }
        if let rule { text += " rule=\(rule)" }
        return text
    }
}

public struct ExtractError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// Nothing matched the selection (exit 1, no file).
    public var isEmptySelection = false
    public init(_ description: String, isEmptySelection: Bool = false) {
        self.description = description
        self.isEmptySelection = isEmptySelection
    }
}

/// What an extraction wrote.
public struct ExtractResult: Sendable {
    public var flows: [ExtractedFlow]
    public var packets: UInt64
    /// Errors reading the inputs (as analyze reports them; the extract holds the frames read before).
    public var inputErrors: [String]
    public var interrupted: Bool
    /// The analysis pass's run summary (per-file statistics, for the custody manifest).
    public var summary: RunSummary
}

/// `cipherscope extract`: the frames of selected flows, copied from the original
/// files into one pcapng file.
///
/// 1. The normal analysis (`Analyzer`, same options and rules) reports every flow;
///    those the selection matches are kept (flow id, counts, label).
/// 2. A second pass runs the same decoder and flow table over the same files and
///    records the run-wide frame number (tag) of every frame accounted to a selected
///    flow id — for a datagram reassembled from fragments, every fragment's frame.
///    The table is deterministic, so a frame lands in the same flow (and split part)
///    as in the analysis: the extract holds exactly packets_c2s + packets_s2c frames
///    per flow.
/// 3. A third pass copies those frames, bytes and times as captured, into pcapng.
public final class Extractor {
    let options: AnalysisOptions
    let classifier: Classifier?
    let onInputError: (CaptureError) -> Void

    public init(options: AnalysisOptions, classifier: Classifier?, onInputError: @escaping (CaptureError) -> Void = { _ in }) {
        self.options = options
        self.classifier = classifier
        self.onInputError = onInputError
    }

    /// With `pseudonymisation`, every frame's addresses are mapped (`AddressRewriter`), the
    /// comments carry the mapped Community IDs and the custody comment the key's id.
    public func run(paths: [String], selection: ExtractSelection, output: String, force: Bool,
                    tool: String, pseudonymisation: (map: any AddressMap, keyID: String)? = nil) throws(ExtractError) -> ExtractResult {
        if paths.contains("-") { throw ExtractError("extract reads its inputs more than once: standard input (-) cannot be one") }
        if FileIO.kind(of: output) != .missing && !force {
            throw ExtractError("\(output): already exists (use --force to replace it)")
        }

        // 1. Analysis: which flows.
        let collector = SelectingWriter(selection: selection, map: pseudonymisation?.map)
        let analyzer = Analyzer(options: options, writer: collector, classifier: classifier, onInputError: onInputError)
        let summary = analyzer.run(paths: paths)
        if StopSignal.isRequested { return ExtractResult(flows: [], packets: 0, inputErrors: summary.inputErrors, interrupted: true, summary: summary) }
        var flows = collector.selected
        guard !flows.isEmpty else {
            throw ExtractError("no flow matches the selection (\(selection.description))", isEmptySelection: true)
        }

        // 2. The frames of the selected flows.
        var index: [UInt64: Int] = [:]
        for (position, flow) in flows.enumerated() { index[flow.flowID] = position }
        let frames = try membership(paths: paths, flowIndex: index)

        // 3. Copy.
        let packets = try copy(paths: paths, frames: frames, flows: &flows, selection: selection, output: output, force: force,
                               tool: tool, pseudonymisation: pseudonymisation)
        return ExtractResult(flows: flows, packets: packets, inputErrors: summary.inputErrors, interrupted: false, summary: summary)
    }

    /// Pass 2: tag → position in `flows` of every frame of a selected flow, and the
    /// inputs' link types and precisions.
    private func membership(paths: [String], flowIndex: [UInt64: Int]) throws(ExtractError) -> Membership {
        let decoder = PacketDecoder(fragmentLimits: options.fragmentLimits)
        decoder.reassembler.recordsTags = true
        let table = FlowTable(configuration: options.flowTable)
        var packet = DecodedPacket()
        var result = Membership()
        var nextTag: UInt64 = 0
        for path in paths {
            guard let file = try? CaptureFile(path: path, filter: options.filter) else { continue }
            let firstTag = nextTag
            let linkType = LinkType(rawValue: file.linkType)
            reading: while true {
                switch file.next() {
                case .frame(let frame):
                    let tag = firstTag + frame.frameNumber
                    guard case .packet = decoder.decode(frame.bytes, linkType: linkType, tag: tag, time: frame.timestamp, into: &packet) else { continue }
                    let hit = table.process(packet, time: frame.timestamp)
                    guard let position = flowIndex[table.slots[Int(hit.slot)].flowID] else { continue }
                    if packet.frames > 1 {
                        for fragment in decoder.reassembler.completedTags { result.frames[fragment] = position }
                    } else {
                        result.frames[tag] = position
                    }
                case .end, .failed:
                    break reading
                }
                if StopSignal.isRequested { throw ExtractError("interrupted") }
            }
            result.inputs.append(Input(path: path, linkType: file.linkType, nanosecond: file.nanosecondTimestamps,
                                       firstTag: firstTag, frames: file.framesRead))
            nextTag = firstTag + file.framesRead
        }
        return result
    }

    struct Input { var path: String; var linkType: Int32; var nanosecond: Bool; var firstTag: UInt64; var frames: UInt64 }

    struct Membership {
        var frames: [UInt64: Int] = [:]
        /// The inputs that could be opened, with their first tag and frame count.
        var inputs: [Input] = []
    }

    /// Pass 3: copies the frames, one interface per link type and precision, into a
    /// temporary file renamed over `output` when complete.
    private func copy(paths: [String], frames: Membership, flows: inout [ExtractedFlow], selection: ExtractSelection,
                      output: String, force: Bool, tool: String,
                      pseudonymisation: (map: any AddressMap, keyID: String)?) throws(ExtractError) -> UInt64 {
        // The inputs that hold selected frames, one interface per link type and precision.
        let inputs = frames.inputs
        var holding = Set<Int>()
        for tag in frames.frames.keys {
            if let at = inputs.lastIndex(where: { $0.firstTag < tag }) { holding.insert(at) }
        }
        let used = inputs.indices.filter(holding.contains).map { inputs[$0] }
        var interfaces: [PcapngInterface] = []
        var interfaceOf: [String: Int] = [:]
        for input in used {
            let key = "\(input.linkType)/\(input.nanosecond)"
            if interfaceOf[key] == nil {
                interfaceOf[key] = interfaces.count
                interfaces.append(PcapngInterface(
                    name: "cipherscope-extract linktype \(input.linkType)", linkType: input.linkType, snaplen: 0,
                    timestampResolution: input.nanosecond ? 9 : 6))
            }
        }

        var custody = "\(tool) extract\n"
        for input in inputs {
            custody += "input: \(input.path) sha256:\(Extractor.sha256(path: input.path) ?? "unreadable")\n"
        }
        custody += "selection: \(selection.description); flows: \(flows.map { String($0.flowID) }.joined(separator: ","))"
        custody += "; packets: \(frames.frames.count)\n"
        if let pseudonymisation { custody += "pseudonymised: Crypto-PAn key id \(pseudonymisation.keyID)\n" }
        custody += "created: \(TimeFormat.rfc3339(SystemClock.wall(), nanosecondDigits: false))"

        let slash = output.lastIndex(of: "/")
        let folder = slash.map { String(output[...$0]) } ?? ""
        let name = slash.map { String(output[output.index(after: $0)...]) } ?? output
        let temporary = "\(folder).\(name).\(getpid()).partial"
        var fileOptions = PacketFileOptions(path: temporary)
        fileOptions.comment = custody
        let writer: PcapngWriter
        do {
            writer = try PcapngWriter(options: fileOptions, interfaces: interfaces, now: SystemClock.monotonic(), statistics: { [] })
        } catch {
            throw ExtractError("\(output): \(error.message)")
        }
        var written: UInt64 = 0
        do throws(CaptureError) {
            let comments = flows.map(\.comment)
            for input in used {
                let interface = interfaceOf["\(input.linkType)/\(input.nanosecond)"]!
                guard let file = try? CaptureFile(path: input.path, filter: options.filter) else { continue }
                reading: while true {
                    switch file.next() {
                    case .frame(let frame):
                        guard let position = frames.frames[input.firstTag + frame.frameNumber] else { continue }
                        let time = input.nanosecond ? frame.timestamp : frame.timestamp / 1000
                        if let map = pseudonymisation?.map {
                            var bytes = Array(frame.bytes)
                            guard AddressRewriter.rewrite(&bytes, linkType: input.linkType, map: map) else {
                                throw CaptureError(path: input.path, message: "frame \(frame.frameNumber): no IP header to pseudonymise after link type \(input.linkType) (an encapsulation extract cannot rewrite); nothing written")
                            }
                            let failure = bytes.withUnsafeBytes { bytes -> CaptureError? in
                                do throws(CaptureError) {
                                    try writer.write(interface: interface, time: time, bytes: bytes, wireLength: frame.wireLength,
                                                     comment: comments[position])
                                    return nil
                                } catch { return error }
                            }
                            if let failure { throw failure }
                        } else {
                            try writer.write(interface: interface, time: time, bytes: frame.bytes, wireLength: frame.wireLength,
                                             comment: comments[position])
                        }
                        flows[position].copied += 1
                        written += 1
                    case .end, .failed:
                        break reading
                    }
                    if StopSignal.isRequested { throw CaptureError(path: input.path, message: "interrupted") }
                }
            }
            try writer.close()
        } catch {
            FileIO.remove(temporary)
            throw ExtractError(error.description)
        }
        if FileIO.kind(of: output) != .missing && !force {
            FileIO.remove(temporary)
            throw ExtractError("\(output): already exists (use --force to replace it)")
        }
        guard rename(temporary, output) == 0 else {
            let failure = SystemError(.rename, path: output, code: errno)
            FileIO.remove(temporary)
            throw ExtractError(failure.description)
        }
        return written
    }

    /// The SHA-256 of a file, in hex (nil when it cannot be read).
    static func sha256(path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; return nil }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return Hex.lowercase(Array(hasher.finalize()))
    }
}

/// Keeps the reports the selection matches (pass 1).
final class SelectingWriter: FlowReportWriter {
    let selection: ExtractSelection
    /// The pseudonymisation's map: the comments name the flow by its mapped Community ID.
    let map: (any AddressMap)?
    var selected: [ExtractedFlow] = []

    init(selection: ExtractSelection, map: (any AddressMap)?) {
        self.selection = selection
        self.map = map
    }

    func write(_ report: FlowReport) throws(OutputError) {
        guard selection.matches(report) else { return }
        let flow = report.summary
        var communityID = flow.communityID
        if let map, !communityID.isEmpty {
            communityID = CommunityID.compute(
                proto: flow.proto, source: map.map(flow.clientAddress), destination: map.map(flow.serverAddress),
                sourcePort: flow.clientPort, destinationPort: flow.serverPort, icmpType: flow.icmpType, icmpCode: flow.icmpCode)
        }
        selected.append(ExtractedFlow(
            flowID: flow.flowID, communityID: communityID, splitOf: flow.splitOf, splitIndex: flow.splitIndex,
            packets: flow.c2s.packets + flow.s2c.packets, platform: report.classification?.platform,
            rule: report.classification?.rules.first, sourceFile: report.sourceFile, firstFrame: report.firstFrame))
    }

    func finish() throws(OutputError) {}
}
