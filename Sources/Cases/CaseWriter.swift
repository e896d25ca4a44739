import Dispatch
import Reports

/// The `FlowReportWriter` of an ingest. Flows are handed over in batches of
/// `CaseSchema.batchSize` to one background queue that builds their rows (the JSON
/// record, the typed columns) and stores them, so the database work runs beside the
/// analysis instead of after it. At most `inFlight` batches wait: when the database is
/// slower than the analysis, the analysis waits (back-pressure, nothing dropped), and
/// the memory held stays a few batches whatever the number of flows. One serial queue
/// keeps the flows in the order the analysis ended them.
final class CaseWriter: FlowReportWriter {
    static let inFlight = 2

    private let storing: Storing
    private var batch: [FlowReport] = []
    private(set) var flows = 0

    init(ingest: any CaseIngest, fileIDs: [String: Int64]) {
        storing = Storing(ingest: ingest, fileIDs: fileIDs)
        batch.reserveCapacity(CaseSchema.batchSize)
    }

    func write(_ report: FlowReport) throws(OutputError) {
        batch.append(report)
        flows += 1
        if batch.count >= CaseSchema.batchSize {
            try storing.check()
            storing.submit(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// Stores what is left and waits for every batch.
    func finish() throws(OutputError) {
        if !batch.isEmpty { storing.submit(batch) }
        batch.removeAll()
        storing.drain()
        try storing.check()
    }
}

/// The background side: a serial queue and a semaphore counting free slots.
/// `@unchecked Sendable`: `ingest` is only used on `queue`; `failure` is written on
/// `queue` and read after a `queue.sync` (or under the lock).
private final class Storing: @unchecked Sendable {
    private let ingest: any CaseIngest
    private let fileIDs: [String: Int64]
    private let queue = DispatchQueue(label: "cipherscope.case-writer")
    private let slots = DispatchSemaphore(value: CaseWriter.inFlight)
    private let lock = DispatchSemaphore(value: 1)
    private var failure: OutputError?

    init(ingest: any CaseIngest, fileIDs: [String: Int64]) {
        self.ingest = ingest
        self.fileIDs = fileIDs
    }

    func submit(_ reports: [FlowReport]) {
        slots.wait()
        queue.async {
            defer { self.slots.signal() }
            guard self.currentFailure() == nil else { return }
            do throws(OutputError) {
                try self.store(reports)
            } catch {
                self.lock.wait()
                self.failure = error
                self.lock.signal()
            }
        }
    }

    private func store(_ reports: [FlowReport]) throws(OutputError) {
        var rows: [FlowRow] = []
        rows.reserveCapacity(reports.count)
        for report in reports {
            guard let fileID = fileIDs[report.sourceFile] else {
                throw OutputError(path: report.sourceFile, message: "a flow from a file this ingest did not register")
            }
            rows.append(FlowRow(report: report, fileID: fileID))
        }
        do {
            try ingest.insert(rows)
        } catch {
            throw OutputError(path: "case", message: "\(error)")
        }
    }

    private func currentFailure() -> OutputError? {
        lock.wait()
        defer { lock.signal() }
        return failure
    }

    func check() throws(OutputError) {
        if let failure = currentFailure() { throw failure }
    }

    func drain() { queue.sync {} }
}
