import Reports

/// The `FlowReportWriter` of an ingest: each flow the analysis ends becomes a
/// `FlowRow`, stored in batches of `CaseSchema.batchSize` (the memory an ingest
/// holds, whatever the number of flows).
final class CaseWriter: FlowReportWriter {
    private let ingest: any CaseIngest
    /// The files of the ingest, by the path the analysis names them with.
    private let fileIDs: [String: Int64]
    private var batch: [FlowRow] = []
    private(set) var flows = 0

    init(ingest: any CaseIngest, fileIDs: [String: Int64]) {
        self.ingest = ingest
        self.fileIDs = fileIDs
        batch.reserveCapacity(CaseSchema.batchSize)
    }

    func write(_ report: FlowReport) throws(OutputError) {
        guard let fileID = fileIDs[report.sourceFile] else {
            throw OutputError(path: report.sourceFile, message: "a flow from a file this ingest did not register")
        }
        batch.append(FlowRow(report: report, fileID: fileID))
        flows += 1
        if batch.count >= CaseSchema.batchSize { try flush() }
    }

    func finish() throws(OutputError) {
        try flush()
    }

    private func flush() throws(OutputError) {
        guard !batch.isEmpty else { return }
        do {
            try ingest.insert(batch)
        } catch {
            throw OutputError(path: "case", message: "\(error)")
        }
        batch.removeAll(keepingCapacity: true)
    }
}
