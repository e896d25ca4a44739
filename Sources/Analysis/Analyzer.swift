import Capture
import Classifier
import Decoding
import Flows
import Reports

/// Reads capture files through the packet pipeline: `cipherscope analyze`.
public final class Analyzer {
    private let options: AnalysisOptions
    private var pipeline: (any FramePipeline)!
    /// Called with each input error as it happens (the CLI prints it at once).
    private let onInputError: (CaptureError) -> Void

    /// Files opened so far: the next one's input number.
    private var inputCount = 0
    /// The earliest and latest packet time of the file being read (Int64.max/min: none yet).
    private var fileFirstPacket = Int64.max
    private var fileLastPacket = Int64.min

    public init(
        options: AnalysisOptions, writer: FlowReportWriter, classifier: Classifier? = nil,
        onInputError: @escaping (CaptureError) -> Void = { _ in }
    ) {
        self.options = options
        self.onInputError = onInputError
        pipeline = makeFramePipeline(options: options, writer: writer, classifier: classifier)
    }

    /// The first error writing the output; the run stops there.
    public var outputError: OutputError? { pipeline.outputError }

    /// Analyses `paths` in order (flows continue across files, as in a delivery of
    /// rotated files), ends all open flows and finishes the writer.
    public func run(paths: [String]) -> RunSummary {
        var nextTag: UInt64 = 0
        for path in paths {
            if StopSignal.isRequested || pipeline.outputError != nil { break }
            let file: CaptureFile
            do {
                file = try CaptureFile(path: path, filter: options.filter)
            } catch {
                fail(error)
                pipeline.summary.files.append(.init(path: path, format: "unreadable", linkType: -1, frames: 0, filtered: 0, error: error.message))
                continue
            }
            let fileTag = nextTag
            let input = inputCount
            inputCount += 1
            pipeline.announce(input: input, name: path, nanosecond: file.nanosecondTimestamps)
            fileFirstPacket = .max
            fileLastPacket = .min
            // The concrete pipeline, so that the per-frame call is specialised (no witness call).
            let fileError: String?
            if let sharded = pipeline as? ShardedPipeline {
                fileError = read(file, path: path, input: input, firstTag: fileTag, into: sharded)
            } else if let single = pipeline as? PacketPipeline {
                fileError = read(file, path: path, input: input, firstTag: fileTag, into: single)
            } else {
                let other: any FramePipeline = pipeline
                fileError = read(file, path: path, input: input, firstTag: fileTag, into: other)
            }
            nextTag = fileTag + file.framesRead
            pipeline.summary.filteredPackets += file.framesFiltered
            var stats = RunSummary.FileStats(
                path: path, format: file.format.rawValue, linkType: file.linkType,
                frames: file.framesRead, filtered: file.framesFiltered, error: fileError)
            if fileFirstPacket <= fileLastPacket {
                stats.firstPacket = fileFirstPacket
                stats.lastPacket = fileLastPacket
            }
            pipeline.summary.files.append(stats)
        }
        pipeline.finish(interrupted: StopSignal.isRequested)
        return pipeline.summary
    }

    /// Reads one file to its end, an error, or a stop request; returns the error text.
    private func read(_ file: CaptureFile, path: String, input: Int, firstTag: UInt64, into pipeline: some FramePipeline) -> String? {
        let linkType = LinkType(rawValue: file.linkType)
        var sawSubMicrosecond = false
        // Told after the file's frames: the flows reported from here on show nanoseconds.
        defer { if sawSubMicrosecond { pipeline.announce(input: input, name: path, nanosecond: true) } }
        while true {
            switch file.next() {
            case .frame(let frame):
                // Standard input cannot be sniffed for its precision: tell it from the times.
                if file.format == .unknown && frame.timestamp % 1000 != 0 { sawSubMicrosecond = true }
                if frame.timestamp < fileFirstPacket { fileFirstPacket = frame.timestamp }
                if frame.timestamp > fileLastPacket { fileLastPacket = frame.timestamp }
                pipeline.process(frame.bytes, wireLength: frame.wireLength, linkType: linkType, tag: firstTag + frame.frameNumber,
                                 origin: FrameOrigin(input: input, frame: frame.frameNumber, offset: frame.offset), time: frame.timestamp)
                if StopSignal.isRequested || pipeline.outputError != nil { return nil }
            case .end:
                return nil
            case .failed(let error):
                // A read cut short by Ctrl-C is the interruption, not damage.
                if StopSignal.isRequested { return nil }
                fail(error)
                return error.description
            }
        }
    }

    private func fail(_ error: CaptureError) {
        pipeline.summary.inputErrors.append(error.description)
        onInputError(error)
    }
}
