import Dissectors

/// DNS over UDP (on the DNS ports, or once a flow is DNS) and over TCP (server port 53).
/// The responses leave as return values, for the run's address → name cache.
enum DNSUnit {
    static func isDNSPort(_ flow: FlowInspector) -> Bool {
        flow.serverPort == 53 || flow.serverPort == 5353 || flow.serverPort == 5355 || flow.clientPort == 53 || flow.clientPort == 5353
    }

    /// A DNS message on a DNS port (or in a DNS flow) is taken; others pass on.
    static func offer(_ datagram: UnsafeRawBufferPointer, flow: FlowInspector) -> UDPVerdict {
        guard isDNSPort(flow) || flow.evidence.appProto == .dns, let message = DNSMessage.parse(datagram) else { return .pass }
        flow.evidence.appProto = flow.evidence.appProto ?? .dns
        let response = record(message, into: &flow.evidence)
        if (flow.evidence.dns?.messages ?? 0) >= FlowInspector.Budget.dnsMessages { flow.conclude() }
        return .dns(response)
    }

    static func probeTCP(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard flow.serverPort == 53 && bytes.count >= 2 else { return nil }
        flow.evidence.appProto = .dns
        return .dnsOverTCP
    }

    /// The length-prefixed messages of a TCP direction, recorded afresh each time the
    /// prefix grows. Returns the last response among them.
    static func examine(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> DNSMessage? {
        let messages = DNSMessage.parseTCP(bytes, maxMessages: FlowInspector.Budget.dnsMessages)
        guard !messages.isEmpty else { return nil }
        flow.evidence.dns = nil
        var response: DNSMessage?
        for message in messages {
            if let recorded = record(message, into: &flow.evidence) { response = recorded }
        }
        return response
    }

    /// Records a message; returns it when it is a response.
    static func record(_ message: DNSMessage, into evidence: inout FlowEvidence) -> DNSMessage? {
        var dns = evidence.dns ?? DNSEvidence()
        dns.messages += 1
        for question in message.questions where dns.queries.count < FlowInspector.Budget.recordedQueries {
            let entry = DNSQueryEvidence(name: question.name, type: question.type.name)
            if !dns.queries.contains(where: { $0.name == entry.name && $0.type == entry.type }) { dns.queries.append(entry) }
        }
        if message.isResponse {
            dns.rcode = message.rcodeName
            for answer in message.answers where dns.answers.count < FlowInspector.Budget.recordedAnswers {
                dns.answers.append(DNSAnswerEvidence(name: answer.name, type: answer.type.name, data: answer.data, ttl: answer.ttl))
            }
        }
        evidence.dns = dns
        return message.isResponse ? message : nil
    }
}
