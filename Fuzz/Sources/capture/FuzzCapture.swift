import Analysis
import Classifier
import FuzzSupport
import Reports
import Rules
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// A whole capture file (pcap or pcapng, any link type) read as `cipherscope analyze`
// reads it: libpcap through CaptureFile, the per-packet pipeline with a flow table of
// 10,000 flows (the flood tests' --max-flows), the shipped rule packs, and the JSON
// Lines record of every flow. Input: the file's bytes, so real captures (and damaged
// copies of them) are inputs as they are: Scripts/fuzz.sh replays every bundled,
// crafted, damaged, flood and peer capture through this target before fuzzing it.

/// The shipped packs (Rules/ at the top of the repository), loaded once.
let rules: RuleSet? = {
    var root = #filePath
    for _ in 0..<4 { root = String(root[..<(root.lastIndex(of: "/") ?? root.startIndex)]) }
    return try? PackCollection.load([root + "/Rules"]).rules
}()

/// libpcap reads files by path: each input is written to this one, per process.
let inputPath: String = {
    let folder = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    return "\(folder)/cipherscope-fuzz-capture-\(getpid())"
}()

/// Renders every flow record and drops it.
final class DiscardingWriter: FlowReportWriter {
    var bytes = 0
    func write(_ report: FlowReport) throws(OutputError) { bytes &+= JSONLinesWriter.lineBytes(for: report).count }
    func finish() throws(OutputError) {}
}

/// Writes all of `data` to `inputPath`; false when the file system refuses.
func writeInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Bool {
    let descriptor = open(inputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var written = 0
    while written < size {
        let count = write(descriptor, data + written, size - written)
        guard count > 0 else { return false }
        written += count
    }
    return true
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard writeInput(data, size) else { fatalError("cannot write \(inputPath)") }
    var options = AnalysisOptions()
    options.flowTable.maxFlows = 10_000
    let writer = DiscardingWriter()
    let analyzer = Analyzer(options: options, writer: writer, classifier: rules.map { Classifier(source: $0) })
    _ = analyzer.run(paths: [inputPath])
    consume(writer.bytes)
    return 0
}
