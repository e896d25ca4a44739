import Decoding
import Flows
import Inspection
import Classifier

/// One flow as reported: the flow table's summary and where the flow came from.
/// Later stages (dissectors, fingerprints, classification) add their parts here.
public struct FlowReport: Sendable {
    public var summary: FlowSummary
    /// The capture file the flow's first frame came from ("-" for standard input).
    public var sourceFile: String
    /// 1-based frame number of the flow's first frame in `sourceFile`.
    public var firstFrame: UInt64
    /// Byte offset of that frame's record in `sourceFile` (nil: not a file, or not known).
    public var firstOffset: Int64?
    /// Print times with nanoseconds (the capture has them) rather than microseconds.
    public var nanosecondTimes: Bool
    /// What dissection of the flow's first packets found.
    public var evidence: FlowEvidence?
    /// The platform label and why (absent when no rules were loaded).
    public var classification: Classification?
    /// Set when the run pseudonymises addresses (`--pseudonymise`): the summary's
    /// addresses are mapped already; the texts described by the evidence and the
    /// label are mapped by this as they are projected.
    public var addressMap: (any AddressMap)?

    public init(summary: FlowSummary, sourceFile: String, firstFrame: UInt64, firstOffset: Int64? = nil, nanosecondTimes: Bool,
                evidence: FlowEvidence? = nil) {
        self.summary = summary
        self.sourceFile = sourceFile
        self.firstFrame = firstFrame
        self.firstOffset = firstOffset
        self.nanosecondTimes = nanosecondTimes
        self.evidence = evidence
    }
}

/// Receives flow reports as flows end, then once `finish()` at the end of the run.
public protocol FlowReportWriter: AnyObject {
    func write(_ report: FlowReport) throws(OutputError)
    func finish() throws(OutputError)
}

