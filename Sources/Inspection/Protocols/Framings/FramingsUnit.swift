import Dissectors

/// Messaging platforms' own framings, recognised on the wire and noted in
/// `framings` (facts for the rules): WhatsApp's Noise prologue, Viber, Discord
/// voice, Zoom's SFU, IMO, LINE calls.
enum FramingsUnit {
    /// WhatsApp's Noise prologue from the client: the flow is told (nothing more to dissect).
    static func probeWhatsAppNoise(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard let prologue = WhatsAppFraming.parsePrologue(bytes) else { return nil }
        flow.evidence.appProto = .whatsappNoise
        flow.evidence.framings.append(prologue.edgeRouting ? "whatsapp-noise-edge-routing" : "whatsapp-noise")
        return .finished
    }

    /// Viber's TCP framing: noted, the flow stays undecided.
    static func probeViberTCP(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        if ViberFraming.parseTCP(bytes) != nil { flow.evidence.framings.append("viber") }
        return nil
    }

    /// The last media row: takes what no other row took.
    static func offer(_ datagram: UnsafeRawBufferPointer, flow: FlowInspector) -> UDPVerdict {
        var name: String?
        if DiscordFraming.parse(datagram) != nil { name = "discord-voice" }
        else if flow.serverPort == 8801, ZoomFraming.parseSFU(datagram) != nil { name = "zoom-sfu" }
        else if ViberFraming.parseUDP(datagram) != nil { name = "viber" }
        else if IMOFraming.match(datagram) != nil { name = "imo" }
        else if LINEFraming.match(datagram) != nil { name = "line-call" }
        if let name, !flow.evidence.framings.contains(name) { flow.evidence.framings.append(name) }
        return .taken
    }
}
