import Capture
import Classifier
import Decoding
import Reports

/// Reads capture files through the packet pipeline: `cipherscope analyze`.
public final class Analyzer {
    private let options: AnalysisOptions
    private var pipeline: (any FramePipeline)!
    /// Called with each input error as it happens (the CLI prints it at once).
    private let onInputError: (CaptureError) -> Void

    private struct InputFile {
        var path: String
        /// Frame tags of this file are `firstTag + frameNumber`.
        var firstTag: UInt64
        var nanosecond: Bool
    }
    private var inputs: [InputFile] = []

    public init(
        options: AnalysisOptions, writer: FlowReportWriter, classifier: Classifier? = nil,
        onInputError: @escaping (CaptureError) -> Void = { _ in }
    ) {
        self.options = options
        self.onInputError = onInputError
        let locate: (UInt64) -> PacketPipeline.FrameOrigin = { [unowned self] tag in self.locate(tag) }
        if options.threads > 1 {
            pipeline = ShardedPipeline(options: options, threads: options.threads, writer: writer, classifier: classifier, locate: locate)
        } else {
            pipeline = PacketPipeline(options: options, writer: writer, classifier: classifier, locate: locate)
        }
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
            inputs.append(InputFile(path: path, firstTag: fileTag, nanosecond: file.nanosecondTimestamps))
            // The concrete pipeline, so that the per-frame call is specialised (no witness call).
            let fileError: String?
            if let sharded = pipeline as? ShardedPipeline {
                fileError = read(file, firstTag: fileTag, into: sharded)
            } else if let single = pipeline as? PacketPipeline {
                fileError = read(file, firstTag: fileTag, into: single)
            } else {
                let other: any FramePipeline = pipeline
                fileError = read(file, firstTag: fileTag, into: other)
            }
            nextTag = fileTag + file.framesRead
            pipeline.summary.filteredPackets += file.framesFiltered
            pipeline.summary.files.append(.init(
                path: path, format: file.format.rawValue, linkType: file.linkType,
                frames: file.framesRead, filtered: file.framesFiltered, error: fileError))
        }
        pipeline.finish(interrupted: StopSignal.isRequested)
        return pipeline.summary
    }

    /// Reads one file to its end, an error, or a stop request; returns the error text.
    private func read(_ file: CaptureFile, firstTag: UInt64, into pipeline: some FramePipeline) -> String? {
        let linkType = LinkType(rawValue: file.linkType)
        var sawSubMicrosecond = false
        defer { if sawSubMicrosecond { inputs[inputs.count - 1].nanosecond = true } }
        while true {
            switch file.next() {
            case .frame(let frame):
                // Standard input cannot be sniffed for its precision: tell it from the times.
                if file.format == .unknown && frame.timestamp % 1000 != 0 { sawSubMicrosecond = true }
                pipeline.process(frame.bytes, wireLength: frame.wireLength, linkType: linkType, tag: firstTag + frame.frameNumber, time: frame.timestamp)
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

    /// The file and frame number of a frame tag.
    private func locate(_ tag: UInt64) -> PacketPipeline.FrameOrigin {
        // Inputs are in tag order; the last one starting before the tag holds it.
        var low = 0, high = inputs.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if inputs[middle].firstTag < tag { low = middle } else { high = middle - 1 }
        }
        let input = inputs[low]
        return PacketPipeline.FrameOrigin(source: input.path, frame: tag - input.firstTag, nanosecond: input.nanosecond)
    }
}
