import Analysis
import ArgumentParser
import Basics
import Capture
import Pseudonymisation
import Reports

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

struct Interfaces: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the capture interfaces, numbered as tcpdump -D does, with flags and addresses."
    )

    func run() throws {
        let devices: [CaptureInterface]
        do {
            devices = try CaptureInterface.all()
        } catch {
            FileHandleOutput.standardError("cipherscope: error: cannot list interfaces: \(error.message)\n")
            throw ExitCode(1)
        }
        if devices.isEmpty {
            FileHandleOutput.standardError("cipherscope: error: no capture interfaces found (listing some needs root)\n")
            throw ExitCode(1)
        }
        var text = ""
        for (offset, device) in devices.enumerated() { text += device.listingLine(number: offset + 1) + "\n" }
        StandardOutput.write(text)
    }
}

struct LiveCaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Capture live from one or more interfaces and report each flow as it ends.",
        discussion: """
            Flows are written as they end, one record per line, flushed at once (tail -f and \
            pipes work); -o FILE is appended to (created 0600). On a terminal, a live view on \
            standard error shows rates, drops and open flows by application. Ctrl-C or SIGTERM \
            stops: every open flow is reported with end_reason interrupted, the summary (with \
            the kernel's drop counters) is written, files are closed (exit 130); a second \
            signal exits at once. --count and --duration end with exit 0.
            """
    )

    @Option(name: [.customShort("i"), .customLong("interface")], help: "Interface to capture on (repeatable; see `cipherscope interfaces`).")
    var interfaces: [String] = []

    @Option(name: .long, help: "A BPF expression (pcap-filter(7)), applied in the kernel.")
    var filter: String?

    @Option(name: [.customShort("s"), .long], help: "Bytes kept of each packet (0: the default, 262144).")
    var snaplen: Int32 = 262_144

    @Flag(name: [.customShort("p"), .customLong("no-promisc")], help: "Do not put the interfaces in promiscuous mode.")
    var noPromisc = false

    // 32 MiB (tcpdump's is 2): the analysis costs far more per packet than a dump,
    // so the ring must ride out longer gaps while this thread is busy or descheduled.
    @Option(name: [.customShort("B"), .long], help: "Kernel capture buffer per interface, in MiB (default 32).")
    var bufferSize: Int = 32

    @Flag(name: .long, help: "Hand each packet over at once, not in blocks within 100 ms (for watching a quiet interface; drops sooner under load).")
    var immediate = false

    @Option(name: .long, help: "Stop after this many seconds.")
    var duration: Double?

    @Option(name: [.customShort("c"), .long], help: "Stop after this many packets (all interfaces together).")
    var count: UInt64?

    @Option(name: [.customShort("w"), .long], help: "Also save the raw packets as pcapng to FILE.")
    var write: String?

    @Option(name: .long, help: "With --write: start a new file before one exceeds MB × 1,000,000 bytes.")
    var rotateSize: Double?

    @Option(name: .long, help: "With --write: start a new file every S seconds.")
    var rotateSeconds: Int64?

    @Option(name: .long, help: "With rotation: reuse N files in a ring (FILE, FILE1 … FILE(N-1), then FILE again).")
    var ring: Int?

    @Option(name: [.customShort("Z"), .long], help: "Drop root privileges to USER once the interfaces are open, before any file is opened.")
    var user: String?

    @Option(name: .long, help: "Output format: jsonl (default), csv, eve (Suricata EVE JSON) or ecs (Elastic Common Schema).")
    var format: OutputFormat?

    @Option(name: [.short, .long], help: "Append flows to FILE (- for standard output, the default).")
    var output: String?

    @Flag(name: .long, help: "Replace an existing --write or --stats file.")
    var force = false

    @Option(name: .long, help: "Write the run summary as JSON to FILE instead of standard error.")
    var stats: String?

    @Flag(name: .shortAndLong, help: "No live view and no run summary on standard error.")
    var quiet = false

    @OptionGroup var flow: FlowOptions
    @OptionGroup var threading: ThreadOptions
    @OptionGroup var ruleOptions: RuleOptions
    @OptionGroup var pseudonymisation: PseudonymiseOptions

    func validate() throws {
        guard !interfaces.isEmpty else { throw ValidationError("Give at least one interface with -i (see cipherscope interfaces).") }
        guard Set(interfaces).count == interfaces.count else { throw ValidationError("An interface is given twice.") }
        guard (0...262_144).contains(snaplen) else { throw ValidationError("--snaplen must be between 0 and 262144.") }
        guard (1...4096).contains(bufferSize) else { throw ValidationError("--buffer-size is in MiB, 1 to 4096.") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be positive.") }
        if let count, count == 0 { throw ValidationError("--count must be at least 1.") }
        if format == .table { throw ValidationError("--format table holds every flow until the end; capture writes jsonl, csv, eve or ecs.") }
        if write == nil && (rotateSize != nil || rotateSeconds != nil || ring != nil) {
            throw ValidationError("--rotate-size, --rotate-seconds and --ring need --write FILE.")
        }
        if let rotateSize, !(rotateSize > 0) { throw ValidationError("--rotate-size must be positive (MB).") }
        if let rotateSeconds, rotateSeconds < 1 { throw ValidationError("--rotate-seconds must be at least 1.") }
        if let ring {
            guard ring >= 2 else { throw ValidationError("--ring needs at least 2 files.") }
            guard rotateSize != nil || rotateSeconds != nil else { throw ValidationError("--ring needs --rotate-size or --rotate-seconds.") }
        }
        if let write, write == "-" || write.hasSuffix("/") { throw ValidationError("--write needs a file name.") }
    }

    func run() throws {
        // Rules are read (and their signatures checked) before any interface opens: fail fast.
        let classifier = try ruleOptions.classifier()
        StopSignal.install()
        // 1. Open every interface (needs the privileges).
        var captureOptions = LiveCaptureOptions()
        captureOptions.snaplen = snaplen == 0 ? 262_144 : snaplen
        captureOptions.promiscuous = !noPromisc
        captureOptions.bufferBytes = Int32(bufferSize) << 20
        captureOptions.immediate = immediate
        captureOptions.filter = filter
        var sources: [LiveCapture] = []
        for name in interfaces {
            do {
                sources.append(try LiveCapture(interface: name, options: captureOptions))
            } catch {
                fail("\(error)")
            }
            if let warning = sources.last?.warning {
                FileHandleOutput.standardError("cipherscope: warning: \(name): \(warning)\n")
            }
        }
        // 2. Give up root before any file is opened, so files belong to the user.
        if let user {
            do { try Privileges.drop(to: user) } catch { fail(error.description) }
        }
        // 3. Outputs.
        let sink: OutputFile
        do {
            sink = try OutputFile.open(output ?? "-", force: false, append: true)
        } catch {
            fail("cannot write output: \(error)")
        }
        sink.flushEachRecord = true
        let pseudonymiser = try pseudonymisation.pseudonymiser()
        let writer: FlowReportWriter = (format ?? .jsonl).streamingWriter(sink)
            .pseudonymised(by: pseudonymiser, communityIDSeed: flow.communityIDSeed)
        var packetFile: PcapngWriter?
        if let write {
            var fileOptions = PacketFileOptions(path: write)
            fileOptions.rotateBytes = rotateSize.map { UInt64($0 * 1_000_000) }
            fileOptions.rotateSeconds = rotateSeconds
            fileOptions.ring = ring
            fileOptions.force = force
            fileOptions.application = "cipherscope \(Cipherscope.configuration.version)"
            do {
                packetFile = try PcapngWriter(
                    options: fileOptions,
                    interfaces: sources.map { PcapngInterface(name: $0.interface, linkType: $0.linkType, snaplen: $0.snaplen) },
                    now: SystemClock.monotonic(),
                    statistics: { LiveAnalyzer.statistics(of: sources) })
            } catch {
                fail("cannot write packets: \(error)")
            }
        }
        let toTerminal = (output == nil || output == "-") && Terminal.isTerminal(1)
        let view = !quiet && Terminal.isTerminal(2) && !toTerminal ? LiveView() : nil

        // 4. Capture.
        var options = LiveOptions()
        options.analysis.filter = filter
        options.analysis.flowTable = try flow.flowTableConfiguration()
        threading.apply(to: &options.analysis)
        options.count = count
        options.duration = duration
        let analyzer = LiveAnalyzer(
            sources: sources, options: options, writer: writer, classifier: classifier, packetFile: packetFile,
            onSnapshot: view.map { view in { view.draw($0.pseudonymised(by: pseudonymiser)) } },
            onInputError: { error in
                view?.clear()
                FileHandleOutput.standardError("cipherscope: error: \(error)\n")
            })
        let summary = analyzer.run().pseudonymised(by: pseudonymiser)
        view?.clear()
        RunAnalysis.reportSummary(summary, stats: stats, force: force, quiet: quiet)
        if let outputError = analyzer.outputError {
            FileHandleOutput.standardError("cipherscope: error: cannot write output: \(outputError)\n")
            throw ExitCode(1)
        }
        if let packetError = analyzer.packetFileError {
            FileHandleOutput.standardError("cipherscope: error: cannot write packets: \(packetError)\n")
            throw ExitCode(1)
        }
        if !summary.inputErrors.isEmpty { throw ExitCode(2) }
        if summary.interrupted { throw ExitCode(130) }
    }

    /// One line on standard error, exit status 1.
    private func fail(_ message: String) -> Never {
        FileHandleOutput.standardError("cipherscope: error: \(message)\n")
        Glibc.exit(1)
    }
}

/// Writes to standard output without Foundation.
enum StandardOutput {
    static func write(_ text: String) {
        try? FileIO.writeAll(1, text)
    }
}
