import CPcap

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A capture device as `pcap_findalldevs` lists it (what `tcpdump -D` prints).
public struct CaptureInterface: Sendable {
    public var name: String
    public var description: String?
    /// Addresses with their prefix length, e.g. "127.0.0.1/8", "::1/128".
    public var addresses: [String]
    public var flags: UInt32

    public var isUp: Bool { flags & UInt32(PCAP_IF_UP) != 0 }
    public var isRunning: Bool { flags & UInt32(PCAP_IF_RUNNING) != 0 }
    public var isLoopback: Bool { flags & UInt32(PCAP_IF_LOOPBACK) != 0 }
    public var isWireless: Bool { flags & UInt32(PCAP_IF_WIRELESS) != 0 }

    /// The flag words tcpdump -D prints: Up, Running, Loopback, Wireless,
    /// Connected or Disconnected (nothing when not applicable or unknown).
    public var flagNames: [String] {
        var names: [String] = []
        if isUp { names.append("Up") }
        if isRunning { names.append("Running") }
        if isLoopback { names.append("Loopback") }
        if isWireless { names.append("Wireless") }
        switch flags & UInt32(PCAP_IF_CONNECTION_STATUS) {
        case UInt32(PCAP_IF_CONNECTION_STATUS_CONNECTED): names.append("Connected")
        case UInt32(PCAP_IF_CONNECTION_STATUS_DISCONNECTED): names.append("Disconnected")
        default: break
        }
        return names
    }

    /// One line as `tcpdump -D` numbers it, with the addresses after the flags:
    /// `3.lo [Up, Running, Loopback] 127.0.0.1/8 ::1/128`.
    public func listingLine(number: Int) -> String {
        var line = "\(number).\(name)"
        if let description { line += " (\(description))" }
        let names = flagNames
        line += " [" + (names.isEmpty ? "none" : names.joined(separator: ", ")) + "]"
        if !addresses.isEmpty { line += " " + addresses.joined(separator: " ") }
        return line
    }

    /// Every capture device libpcap can open (some need privileges to open).
    public static func all() throws(CaptureError) -> [CaptureInterface] {
        var list: UnsafeMutablePointer<pcap_if_t>?
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard pcap_findalldevs(&list, &errorBuffer) == 0 else {
            throw CaptureError(path: "interfaces", message: errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        defer { if let list { pcap_freealldevs(list) } }
        var result: [CaptureInterface] = []
        var device = list
        while let current = device {
            let entry = current.pointee
            var addresses: [String] = []
            var address = entry.addresses
            while let item = address {
                if let text = CaptureInterface.text(of: item.pointee.addr) {
                    let prefix = CaptureInterface.prefixLength(of: item.pointee.netmask)
                    addresses.append(prefix.map { "\(text)/\($0)" } ?? text)
                }
                address = item.pointee.next
            }
            result.append(CaptureInterface(
                name: String(cString: entry.name),
                description: entry.description.map { String(cString: $0) },
                addresses: addresses, flags: entry.flags))
            device = entry.next
        }
        return result
    }

    /// An IPv4 or IPv6 socket address as text (other families are left out).
    static func text(of address: UnsafeMutablePointer<sockaddr>?) -> String? {
        guard let address else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var raw = v4.pointee.sin_addr
                guard inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count)) != nil else { return nil }
                return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var raw = v6.pointee.sin6_addr
                guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return nil }
                return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            }
        default:
            return nil
        }
    }

    /// The prefix length of a netmask socket address (nil when absent).
    static func prefixLength(of mask: UnsafeMutablePointer<sockaddr>?) -> Int? {
        guard let mask else { return nil }
        switch Int32(mask.pointee.sa_family) {
        case AF_INET:
            return mask.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr).nonzeroBitCount }
        case AF_INET6:
            return mask.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                withUnsafeBytes(of: v6.pointee.sin6_addr) { $0.reduce(0) { $0 + $1.nonzeroBitCount } }
            }
        default:
            return nil
        }
    }
}

/// How to open a live capture (the `pcap_create` … `pcap_activate` settings).
public struct LiveCaptureOptions: Sendable {
    /// Bytes kept of each packet (tcpdump's default).
    public var snaplen: Int32 = 262_144
    public var promiscuous = true
    /// Deliver each packet as it arrives. Off by default: on Linux, immediate mode
    /// makes libpcap use a TPACKET_V2 ring of snaplen-sized slots, so a buffer holds
    /// few packets and bursts are dropped; without it the TPACKET_V3 ring packs
    /// packets into blocks handed over when full or after `bufferTimeoutMilliseconds`.
    public var immediate = false
    /// How long the kernel may hold packets before handing them over (buffered mode;
    /// tcpdump's is 1000 ms).
    public var bufferTimeoutMilliseconds: Int32 = 100
    /// Kernel buffer in bytes (nil: libpcap's default, 2 MiB).
    public var bufferBytes: Int32?
    /// BPF expression, compiled for the interface's link type.
    public var filter: String?

    public init() {}
}

/// pcap_stats counters, widened to 64 bits (libpcap's are 32-bit and wrap).
public struct LiveCounters: Sendable {
    /// Packets the kernel received that passed the filter (ps_recv).
    public var received: UInt64 = 0
    /// Packets dropped because the capture buffer was full (ps_drop).
    public var dropped: UInt64 = 0
    /// Packets the interface or its driver dropped (ps_ifdrop; all traffic, not only filtered).
    public var interfaceDropped: UInt64 = 0

    public init() {}
}

public enum LiveRead {
    case frame(CapturedFrame)
    /// Nothing to read right now (the handle is non-blocking).
    case none
    case failed(CaptureError)
}

/// One live capture handle: `pcap_create`, the settings, `pcap_activate`, the
/// filter, then non-blocking reads driven by `poll()` on `selectableDescriptor`.
public final class LiveCapture {
    public let interface: String
    public let linkType: Int32
    public let snaplen: Int32
    /// Timestamps come in nanoseconds (else microseconds, scaled).
    public let nanosecondTimestamps: Bool
    /// A warning from `pcap_activate` (e.g. promiscuous mode not supported), for the user.
    public let warning: String?
    /// Frames delivered so far: the frame number of the last one.
    public private(set) var framesRead: UInt64 = 0
    /// The descriptor to poll for readability (-1 when the platform has none).
    public let selectableDescriptor: Int32
    /// The longest a packet may wait in the kernel before it can be read, in
    /// nanoseconds: 0 in immediate mode, else twice the buffer timeout (a block
    /// opened just after the kernel's retire timer fired waits for its second tick).
    public let deliveryDelay: Int64

    private let handle: OpaquePointer
    private var counters = LiveCounters()
    private var lastRaw = (recv: UInt32(0), drop: UInt32(0), ifdrop: UInt32(0))
    private var closed = false

    public init(interface: String, options: LiveCaptureOptions) throws(CaptureError) {
        self.interface = interface
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        func bufferText() -> String { errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
        guard let created = pcap_create(interface, &errorBuffer) else {
            throw CaptureError(path: interface, message: bufferText())
        }
        pcap_set_snaplen(created, options.snaplen)
        pcap_set_promisc(created, options.promiscuous ? 1 : 0)
        pcap_set_timeout(created, max(options.bufferTimeoutMilliseconds, 1))
        pcap_set_immediate_mode(created, options.immediate ? 1 : 0)
        if let bytes = options.bufferBytes { pcap_set_buffer_size(created, bytes) }
        _ = pcap_set_tstamp_precision(created, Int32(PCAP_TSTAMP_PRECISION_NANO))
        let status = pcap_activate(created)
        if status < 0 {
            let detail = String(cString: pcap_geterr(created))
            pcap_close(created)
            throw CaptureError(path: interface, message: LiveCapture.explainActivation(status, detail: detail))
        }
        var warning: String?
        if status > 0 {
            let detail = String(cString: pcap_geterr(created))
            warning = detail.isEmpty ? String(cString: pcap_statustostr(status)) : detail
        }
        handle = created
        linkType = pcap_datalink(created)
        snaplen = pcap_snapshot(created)
        nanosecondTimestamps = pcap_get_tstamp_precision(created) == Int32(PCAP_TSTAMP_PRECISION_NANO)
        if let filter = options.filter, !filter.isEmpty {
            var network: bpf_u_int32 = 0
            var mask: bpf_u_int32 = 0
            if pcap_lookupnet(interface, &network, &mask, &errorBuffer) != 0 { mask = PCAP_NETMASK_UNKNOWN }
            var program = bpf_program()
            if pcap_compile(created, &program, filter, 1, mask) != 0 {
                let message = String(cString: pcap_geterr(created))
                pcap_close(created)
                throw CaptureError(path: interface, message: "bad filter expression '\(filter)': \(message)")
            }
            let set = pcap_setfilter(created, &program)
            pcap_freecode(&program)
            if set != 0 {
                let message = String(cString: pcap_geterr(created))
                pcap_close(created)
                throw CaptureError(path: interface, message: "cannot set the filter: \(message)")
            }
        }
        if pcap_setnonblock(created, 1, &errorBuffer) != 0 {
            pcap_close(created)
            throw CaptureError(path: interface, message: "cannot make the capture non-blocking: \(bufferText())")
        }
        selectableDescriptor = pcap_get_selectable_fd(created)
        deliveryDelay = options.immediate ? 0 : 2 * Int64(max(options.bufferTimeoutMilliseconds, 1)) * 1_000_000
        self.warning = warning
    }

    deinit { close() }

    public func close() {
        guard !closed else { return }
        closed = true
        pcap_close(handle)
    }

    /// Stops a `pcap_loop`/`pcap_dispatch` in progress on another thread (async-signal-safe).
    /// The poll loop used here never blocks inside libpcap, so it needs this only
    /// when a caller reads in another way.
    public func breakLoop() { pcap_breakloop(handle) }

    /// The next frame, `.none` when nothing is waiting. The bytes stay valid until the next call.
    @inline(__always)
    public func next() -> LiveRead {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let status = pcap_next_ex(handle, &header, &data)
        if status == 1, let header, let data {
            framesRead += 1
            let time = frameNanoseconds(
                seconds: Int(header.pointee.ts.tv_sec), fraction: Int(header.pointee.ts.tv_usec),
                fractionIsNanoseconds: nanosecondTimestamps)
            return .frame(CapturedFrame(
                timestamp: time,
                bytes: UnsafeRawBufferPointer(start: data, count: Int(header.pointee.caplen)),
                wireLength: header.pointee.len, frameNumber: framesRead))
        }
        if status == 0 || status == PCAP_ERROR_BREAK { return .none }
        return .failed(CaptureError(path: interface, message: String(cString: pcap_geterr(handle)), frame: framesRead + 1))
    }

    /// The kernel's counters for this handle since it was opened (the last known
    /// ones if libpcap cannot tell any more).
    public func statistics() -> LiveCounters {
        guard !closed else { return counters }
        var raw = pcap_stat()
        if pcap_stats(handle, &raw) == 0 {
            counters.received &+= UInt64(raw.ps_recv &- lastRaw.recv)
            counters.dropped &+= UInt64(raw.ps_drop &- lastRaw.drop)
            counters.interfaceDropped &+= UInt64(raw.ps_ifdrop &- lastRaw.ifdrop)
            lastRaw = (raw.ps_recv, raw.ps_drop, raw.ps_ifdrop)
        }
        return counters
    }

    static func explainActivation(_ status: Int32, detail: String) -> String {
        switch status {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            return "no such capture interface (cipherscope interfaces lists them)"
        case PCAP_ERROR_PERM_DENIED:
            return "permission denied: live capture needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities"
        case PCAP_ERROR_PROMISC_PERM_DENIED:
            return "permission denied for promiscuous mode (try --no-promisc)"
        case PCAP_ERROR_IFACE_NOT_UP:
            return "interface is down (bring it up first, e.g. ip link set IFACE up)"
        default:
            let base = String(cString: pcap_statustostr(status))
            return detail.isEmpty ? base : detail
        }
    }
}
