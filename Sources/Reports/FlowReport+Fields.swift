import Classifier
import Flows
import Inspection
import Schema

extension FlowReport {
    /// Every field of the flow's record, in order: the flow's own, what its first
    /// packets told, its label. Each output format is a `FieldSink` fed from here.
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        summary.describe(into: &sink, sourceFile: sourceFile, firstFrame: firstFrame, firstOffset: firstOffset)
        guard let addressMap else {
            evidence?.describe(into: &sink)
            classification?.describe(into: &sink)
            return
        }
        // Pseudonymised: the summary's addresses are mapped already (typed); the
        // evidence and the label are text, mapped value by value.
        withUnsafeMutablePointer(to: &sink) { pointer in
            var mapped = AddressMappingSink(inner: pointer, map: addressMap)
            evidence?.describe(into: &mapped)
            classification?.describe(into: &mapped)
        }
    }
}
