import Decoding
import Flows

/// What a run read and produced, for standard error or `--stats FILE`.
public struct RunSummary: Sendable {
    public struct FileStats: Sendable {
        public var path: String
        public var format: String
        public var linkType: Int32
        public var frames: UInt64
        public var filtered: UInt64
        public var error: String?
        /// The earliest and latest packet time in the file (nil when it gave no packet);
        /// not in `json()`, read by the custody manifest.
        public var firstPacket: Int64?
        public var lastPacket: Int64?

        public init(path: String, format: String, linkType: Int32, frames: UInt64, filtered: UInt64, error: String?) {
            self.path = path
            self.format = format
            self.linkType = linkType
            self.frames = frames
            self.filtered = filtered
            self.error = error
        }
    }

    /// One capture interface of a live run, with the kernel's counters (pcap_stats).
    public struct InterfaceStats: Sendable {
        public var name: String
        public var linkType: Int32
        /// Packets cipherscope read from the interface.
        public var captured: UInt64
        /// Packets the kernel received that passed the filter (ps_recv).
        public var received: UInt64
        /// Packets lost because the capture buffer was full (ps_drop).
        public var dropped: UInt64
        /// Packets the interface or driver lost, filtered or not (ps_ifdrop).
        public var interfaceDropped: UInt64
        public var error: String?

        public init(name: String, linkType: Int32, captured: UInt64, received: UInt64, dropped: UInt64, interfaceDropped: UInt64, error: String? = nil) {
            self.name = name
            self.linkType = linkType
            self.captured = captured
            self.received = received
            self.dropped = dropped
            self.interfaceDropped = interfaceDropped
            self.error = error
        }
    }

    public var files: [FileStats] = []
    /// Live capture: the interfaces read (empty for files).
    public var interfaces: [InterfaceStats] = []
    /// Live capture: the pcapng files written with --write, in order.
    public var writtenFiles: [String] = []
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    public var filteredPackets: UInt64 = 0
    public var flowPackets: UInt64 = 0
    public var flows: UInt64 = 0
    public var flowsByEndReason: [String: UInt64] = [:]
    public var evictedFlows: UInt64 = 0
    public var peakActiveFlows: Int = 0
    public var maxFlows: Int = 0
    public var firstPacket: Int64?
    public var lastPacket: Int64?
    public var undecodable: [String: UInt64] = [:]
    public var nonIP: [String: UInt64] = [:]
    public var fragmentsReassembled: UInt64 = 0
    /// Flows whose dissection stopped early because reassembly memory ran out.
    public var flowsOverDissectionBudget = 0
    public var inputErrors: [String] = []
    public var skippedInputs: [String] = []
    public var interrupted = false
    public var platforms = PlatformSummary()

    public init() {}

    /// Widens the time span to include `time`.
    @inline(__always)
    public mutating func noteTime(_ time: Int64) {
        firstPacket = min(firstPacket ?? time, time)
        lastPacket = max(lastPacket ?? time, time)
    }

    /// Packets lost before cipherscope saw them (kernel buffer and interface).
    public var droppedTotal: UInt64 { interfaces.reduce(0) { $0 + $1.dropped + $1.interfaceDropped } }

    public var undecodableTotal: UInt64 { undecodable.values.reduce(0, +) }
    public var nonIPTotal: UInt64 { nonIP.values.reduce(0, +) }

    /// Human-readable lines for standard error.
    public func text() -> String {
        var lines: [String] = []
        if interfaces.isEmpty {
            lines.append("cipherscope: \(packets) packets (\(bytes) bytes) in \(files.count) file\(files.count == 1 ? "" : "s"), \(flows) flows")
        } else {
            lines.append("cipherscope: \(packets) packets (\(bytes) bytes) captured on \(interfaces.map(\.name).joined(separator: ", ")), \(flows) flows")
            for interface in interfaces {
                lines.append("  \(interface.name): \(interface.captured) captured, \(interface.received) received by filter, \(interface.dropped) dropped by kernel, \(interface.interfaceDropped) dropped by interface" + (interface.error.map { " (stopped: \($0))" } ?? ""))
            }
            if droppedTotal > 0 {
                lines.append("  WARNING: the capture is INCOMPLETE: \(droppedTotal) packets were dropped before cipherscope saw them (see above); flows may be missing or cut short")
            }
        }
        if let first = firstPacket, let last = lastPacket {
            lines.append("  time span: \(TimeFormat.rfc3339(first, nanosecondDigits: false)) to \(TimeFormat.rfc3339(last, nanosecondDigits: false)) (\(TimeFormat.seconds(last - first, nanosecondDigits: false)) s)")
        }
        lines.append("  packets in flows: \(flowPackets), non-IP: \(nonIPTotal), undecodable: \(undecodableTotal)" + (filteredPackets > 0 ? ", filtered out: \(filteredPackets)" : ""))
        if !flowsByEndReason.isEmpty {
            lines.append("  flows by end reason: " + flowsByEndReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !nonIP.isEmpty {
            lines.append("  non-IP: " + nonIP.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !undecodable.isEmpty {
            lines.append("  undecodable: " + undecodable.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if fragmentsReassembled > 0 { lines.append("  IP datagrams reassembled from fragments: \(fragmentsReassembled)") }
        if evictedFlows > 0 {
            lines.append("  WARNING: flow table full (--max-flows \(maxFlows)): \(evictedFlows) flows were ended early and reported with end_reason evicted")
        }
        if flowsOverDissectionBudget > 0 {
            lines.append("  WARNING: \(flowsOverDissectionBudget) flows were not fully dissected (reassembly memory budget reached)")
        }
        for file in writtenFiles { lines.append("  wrote: \(file)") }
        if interrupted { lines.append("  interrupted: open flows were reported with end_reason interrupted") }
        for skipped in skippedInputs { lines.append("  skipped: \(skipped)") }
        for error in inputErrors { lines.append("  input error: \(error)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The summary as one JSON object.
    public func json() -> String {
        var object = JSONObject()
        object.add("packets", packets)
        object.add("bytes", bytes)
        object.add("filtered_packets", filteredPackets)
        object.add("flow_packets", flowPackets)
        object.add("non_ip_packets", nonIPTotal)
        object.add("undecodable_packets", undecodableTotal)
        object.add("flows", flows)
        var reasons = JSONObject()
        for (key, value) in flowsByEndReason.sorted(by: { $0.key < $1.key }) { reasons.add(dynamic: key, value) }
        object.add("flows_by_end_reason", object: reasons)
        object.add("evicted_flows", evictedFlows)
        object.add("peak_active_flows", peakActiveFlows)
        object.add("max_flows", maxFlows)
        if let first = firstPacket, let last = lastPacket {
            object.add("first_packet", TimeFormat.rfc3339(first, nanosecondDigits: false))
            object.add("last_packet", TimeFormat.rfc3339(last, nanosecondDigits: false))
            object.add("time_span", raw: TimeFormat.seconds(last - first, nanosecondDigits: false))
        }
        var undecodableObject = JSONObject()
        for (key, value) in undecodable.sorted(by: { $0.key < $1.key }) { undecodableObject.add(dynamic: key, value) }
        object.add("undecodable", object: undecodableObject)
        var nonIPObject = JSONObject()
        for (key, value) in nonIP.sorted(by: { $0.key < $1.key }) { nonIPObject.add(dynamic: key, value) }
        object.add("non_ip", object: nonIPObject)
        object.add("fragments_reassembled", fragmentsReassembled)
        object.add("flows_over_dissection_budget", flowsOverDissectionBudget)
        object.add("interrupted", interrupted)
        var fileTexts: [String] = []
        for file in files {
            var f = JSONObject()
            f.add("path", file.path)
            f.add("format", file.format)
            f.add("link_type", file.linkType)
            f.add("frames", file.frames)
            f.add("filtered", file.filtered)
            if let error = file.error { f.add("error", error) }
            fileTexts.append(f.closed)
        }
        object.add("files", raw: "[" + fileTexts.joined(separator: ",") + "]")
        if !interfaces.isEmpty {
            var interfaceTexts: [String] = []
            for interface in interfaces {
                var i = JSONObject()
                i.add("name", interface.name)
                i.add("link_type", interface.linkType)
                i.add("captured", interface.captured)
                i.add("received", interface.received)
                i.add("dropped", interface.dropped)
                i.add("if_dropped", interface.interfaceDropped)
                if let error = interface.error { i.add("error", error) }
                interfaceTexts.append(i.closed)
            }
            object.add("interfaces", raw: "[" + interfaceTexts.joined(separator: ",") + "]")
            object.add("dropped_packets", droppedTotal)
            object.add("capture_complete", droppedTotal == 0)
            object.add("written_files", strings: writtenFiles)
        }
        object.add("input_errors", strings: inputErrors)
        object.add("skipped_inputs", strings: skippedInputs)
        return object.closed + "\n"
    }
}
