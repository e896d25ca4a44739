import CPcap

/// Validates BPF expressions without opening any device.
public enum BPFFilter {
    /// nil when `expression` compiles (for Ethernet), else libpcap's message.
    public static func check(_ expression: String, linkType: Int32 = 1) -> String? {
        guard let dead = pcap_open_dead(linkType, 262_144) else { return "libpcap could not open a dead handle" }
        defer { pcap_close(dead) }
        var program = bpf_program()
        guard pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            return String(cString: pcap_geterr(dead))
        }
        pcap_freecode(&program)
        return nil
    }

    /// The libpcap version string, e.g. "libpcap version 1.10.3 (with TPACKET_V3)".
    public static var libraryVersion: String { String(cString: pcap_lib_version()) }
}
