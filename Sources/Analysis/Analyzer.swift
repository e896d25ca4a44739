import Capture
import Decoding
import Flows
import Inspection
import Reports

/// Options of one analysis run.
public struct AnalysisOptions: Sendable {
    /// BPF expression applied to every frame.
    public var filter: String?
    public var flowTable = FlowTableConfiguration()
    public var fragmentLimits = FragmentReassembler.Limits()

    public init() {}
}

/// Reads capture files, decodes each frame, tracks flows and hands every flow that
/// ends to a report writer: the per-packet pipeline of `cipherscope analyze`.
public final class Analyzer: FlowEndHandler {
    private let options: AnalysisOptions
    private let decoder: PacketDecoder
    private let table: FlowTable
    private let inspection = FlowInspection()
    private let writer: FlowReportWriter
    /// Called with each input error as it happens (the CLI prints it at once).
    private let onInputError: (CaptureError) -> Void

    public private(set) var summary = RunSummary()
    /// The first error writing the output; the run stops there.
    public private(set) var outputError: OutputError?

    private struct InputFile {
        var path: String
        /// Frame tags of this file are `firstTag + frameNumber`.
        var firstTag: UInt64
        var nanosecond: Bool
    }
    private var inputs: [InputFile] = []
    private var undecodable = [UInt64](repeating: 0, count: DecodeFailure.allCases.count)
    private var nonIP: [NonIPKind: UInt64] = [:]

    public init(options: AnalysisOptions, writer: FlowReportWriter, onInputError: @escaping (CaptureError) -> Void = { _ in }) {
        self.options = options
        self.writer = writer
        self.onInputError = onInputError
        decoder = PacketDecoder(fragmentLimits: options.fragmentLimits)
        table = FlowTable(configuration: options.flowTable)
        table.endHandler = self
        summary.maxFlows = options.flowTable.maxFlows
    }

    /// Analyses `paths` in order (flows continue across files, as in a delivery of
    /// rotated files), ends all open flows and finishes the writer.
    public func run(paths: [String]) -> RunSummary {
        var nextTag: UInt64 = 0
        var packet = DecodedPacket()
        fileLoop: for path in paths {
            if StopSignal.isRequested || outputError != nil { break }
            let file: CaptureFile
            do {
                file = try CaptureFile(path: path, filter: options.filter)
            } catch {
                fail(error)
                summary.files.append(.init(path: path, format: "unreadable", linkType: -1, frames: 0, filtered: 0, error: error.message))
                continue
            }
            let linkType = LinkType(rawValue: file.linkType)
            let fileTag = nextTag
            inputs.append(InputFile(path: path, firstTag: fileTag, nanosecond: file.nanosecondTimestamps))
            let inputIndex = inputs.count - 1
            var sawSubMicrosecond = false
            var fileError: String?
            readLoop: while true {
                switch file.next() {
                case .frame(let frame):
                    summary.packets &+= 1
                    summary.bytes &+= UInt64(frame.wireLength)
                    if summary.firstPacket == nil || frame.timestamp < summary.firstPacket! { summary.firstPacket = frame.timestamp }
                    if summary.lastPacket == nil || frame.timestamp > summary.lastPacket! { summary.lastPacket = frame.timestamp }
                    if file.format == .unknown && frame.timestamp % 1000 != 0 { sawSubMicrosecond = true }
                    let tag = fileTag + frame.frameNumber
                    switch decoder.decode(frame.bytes, linkType: linkType, tag: tag, time: frame.timestamp, into: &packet) {
                    case .packet:
                        summary.flowPackets &+= UInt64(packet.frames)
                        if packet.frames > 1 { summary.fragmentsReassembled &+= 1 }
                        let hit = table.process(packet, time: frame.timestamp)
                        inspection.inspect(packet, hit: hit, time: frame.timestamp)
                    case .nonIP(let kind):
                        nonIP[kind, default: 0] += 1
                    case .fragmentHeld:
                        break
                    case .failed(let reason):
                        undecodable[Int(reason.rawValue)] &+= 1
                    }
                    if StopSignal.isRequested || outputError != nil { break readLoop }
                case .end:
                    break readLoop
                case .failed(let error):
                    // A read cut short by Ctrl-C is the interruption, not damage.
                    if StopSignal.isRequested { break readLoop }
                    fail(error)
                    fileError = error.description
                    break readLoop
                }
            }
            if sawSubMicrosecond { inputs[inputIndex].nanosecond = true }
            nextTag = fileTag + file.framesRead
            summary.filteredPackets += file.framesFiltered
            summary.files.append(.init(
                path: path, format: file.format.rawValue, linkType: file.linkType,
                frames: file.framesRead, filtered: file.framesFiltered, error: fileError))
            if StopSignal.isRequested { continue fileLoop }
        }
        summary.interrupted = StopSignal.isRequested
        table.endAll(reason: summary.interrupted ? .interrupted : .eof)
        decoder.reassembler.flush()
        finishSummary()
        do {
            try writer.finish()
        } catch {
            if outputError == nil { outputError = error }
        }
        return summary
    }

    private func fail(_ error: CaptureError) {
        summary.inputErrors.append(error.description)
        onInputError(error)
    }

    private func finishSummary() {
        let reassembler = decoder.reassembler
        undecodable[Int(DecodeFailure.fragmentIncomplete.rawValue)] &+= UInt64(reassembler.droppedIncomplete)
        undecodable[Int(DecodeFailure.fragmentInvalid.rawValue)] &+= UInt64(reassembler.droppedInvalid)
        undecodable[Int(DecodeFailure.fragmentLimit.rawValue)] &+= UInt64(reassembler.droppedLimit)
        for reason in DecodeFailure.allCases where undecodable[Int(reason.rawValue)] > 0 {
            summary.undecodable[reason.name] = undecodable[Int(reason.rawValue)]
        }
        for (kind, count) in nonIP { summary.nonIP[kind.name, default: 0] += count }
        summary.evictedFlows = table.flowsEvicted
        summary.flowsOverDissectionBudget = inspection.flowsOverBudget
        summary.peakActiveFlows = table.peakActiveFlows
    }

    /// The file and frame number of a frame tag.
    private func locate(_ tag: UInt64) -> (input: InputFile, frame: UInt64) {
        // Inputs are in tag order; the last one starting before the tag holds it.
        var low = 0, high = inputs.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if inputs[middle].firstTag < tag { low = middle } else { high = middle - 1 }
        }
        let input = inputs[low]
        return (input, tag - input.firstTag)
    }

    public func flowEnded(slot: Int32, reason: EndReason, table: FlowTable) {
        let summary = table.summary(slot, reason: reason)
        self.summary.flows += 1
        self.summary.flowsByEndReason[reason.name, default: 0] += 1
        let evidence = inspection.finish(slot: slot, continues: reason == .active)
        guard outputError == nil else { return }
        let (input, frame) = locate(summary.flowID)
        let report = FlowReport(summary: summary, sourceFile: input.path, firstFrame: frame, nanosecondTimes: input.nanosecond, evidence: evidence)
        do {
            try writer.write(report)
        } catch {
            outputError = error
        }
    }
}
