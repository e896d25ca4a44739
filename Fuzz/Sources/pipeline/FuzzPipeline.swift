import Analysis
import Classifier
import Decoding
import Flows
import FuzzSupport
import Reports
import Rules

// The whole per-packet pipeline as `cipherscope analyze` runs it: decoding, the
// flow table (small, so eviction and timeouts happen), dissection of the first
// packets, classification with the shipped rule packs, and the JSON Lines record
// of every flow. Input: a link-type byte, a configuration byte, then frames with
// a 2-byte length in front; each frame's first byte also moves the clock.

let linkTypes: [LinkType] = [.ethernet, .raw, .linuxSLL, .linuxSLL2, .null, .ipv4, .ipv6]

/// The shipped packs (Rules/ at the top of the repository), loaded once.
let rules: RuleSet? = {
    var root = #filePath
    for _ in 0..<4 { root = String(root[..<(root.lastIndex(of: "/") ?? root.startIndex)]) }
    return try? PackCollection.load([root + "/Rules"]).rules
}()

/// Renders every flow record and drops it.
final class DiscardingWriter: FlowReportWriter {
    var bytes = 0
    func write(_ report: FlowReport) throws(OutputError) { bytes &+= JSONLinesWriter.lineBytes(for: report).count }
    func finish() throws(OutputError) {}
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let linkType = linkTypes[Int(input.u8()) % linkTypes.count]
    let configuration = input.u8()
    var options = AnalysisOptions()
    options.flowTable.maxFlows = 1 + Int(configuration & 0x0F)
    options.flowTable.udpIdleTimeout = 1_000_000_000
    options.flowTable.tcpIdleTimeout = 2_000_000_000
    options.flowTable.activeTimeout = 4_000_000_000
    options.fragmentLimits.maxDatagrams = 4
    options.fragmentLimits.maxFragmentsPerDatagram = 8
    let classifier = configuration & 0x10 == 0 ? rules.map { Classifier(source: $0) } : nil
    let writer = DiscardingWriter()
    let pipeline = PacketPipeline(options: options, writer: writer, classifier: classifier)
    pipeline.announce(input: 0, name: "fuzz", nanosecond: false)
    var time: Int64 = 1_700_000_000_000_000_000
    var tag: UInt64 = 0
    for frame in input.chunks(limit: 128) {
        tag += 1
        time += Int64(frame.first ?? 0) * 20_000_000
        withExactBuffer(frame) { bytes in
            pipeline.process(bytes, wireLength: UInt32(bytes.count), linkType: linkType, tag: tag,
                             origin: FrameOrigin(input: 0, frame: tag), time: time)
        }
    }
    pipeline.finish(interrupted: false)
    consume(writer.bytes)
    return 0
}
