import Dissectors

/// DNS over UDP (on the DNS ports, or once a flow is DNS) and over TCP (server port 53,
/// or any port whose client stream starts with a DNS query). The responses leave as
/// return values, for the run's address → name cache.
enum DNSUnit {
    static func isDNSPort(_ flow: FlowInspector) -> Bool {
        flow.serverPort == 53 || flow.serverPort == 5353 || flow.serverPort == 5355 || flow.clientPort == 53 || flow.clientPort == 5353
    }

    /// A DNS message on a DNS port (or in a DNS flow) is taken; others pass on. Past
    /// the flow's budget of parsed messages only the header's question count is read.
    static func offer(_ datagram: UnsafeRawBufferPointer, flow: FlowInspector) -> UDPVerdict {
        if flow.evidence.appProto == .dns, let dns = flow.evidence.dns, dns.messages >= FlowInspector.Budget.dnsMessages {
            countUnparsed(datagram, into: &flow.evidence)
            return .dns(nil)
        }
        guard isDNSPort(flow) || flow.evidence.appProto == .dns, let message = DNSMessage.parse(datagram) else { return .pass }
        flow.evidence.appProto = flow.evidence.appProto ?? .dns
        let response = record(message, into: &flow.evidence)
        return .dns(response)
    }

    /// A message past the parse budget: its questions are counted (as dropped, since
    /// they are not examined) when it is a query with a sane header.
    static func countUnparsed(_ datagram: UnsafeRawBufferPointer, into evidence: inout FlowEvidence) {
        guard datagram.count >= 12, datagram[2] & 0x80 == 0 else { return }
        let questions = Int(datagram[4]) << 8 | Int(datagram[5])
        // A question takes at least 5 bytes.
        guard questions * 5 <= datagram.count - 12 else { return }
        evidence.dns?.queryCount += questions
        evidence.dns?.queriesDropped += questions
    }

    /// DNS over TCP on port 53: any client bytes.
    static func probeTCPPort(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard flow.serverPort == 53 && bytes.count >= 2 else { return nil }
        flow.evidence.appProto = .dns
        return .dnsOverTCP(DNSOverTCPUnit())
    }

    /// DNS over TCP on any other port: the client stream must start with a DNS query.
    static func probeTCPContent(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard flow.serverPort != 53 else { return nil }
        switch TCPQueryStart.judge(bytes) {
        case .query:
            flow.evidence.appProto = .dns
            return .dnsOverTCP(DNSOverTCPUnit())
        case .incomplete: return .undecided
        case .notDNS: return nil
        }
    }

    /// Records a message; returns it when it is a response. Questions are kept once
    /// per (name, type), up to `Budget.recordedQueries`; a query's questions beyond
    /// that are counted as dropped.
    static func record(_ message: DNSMessage, into evidence: inout FlowEvidence) -> DNSMessage? {
        var dns = evidence.dns ?? DNSEvidence()
        dns.messages += 1
        if !message.isResponse { dns.queryCount += Int(message.questionCount) }
        for question in message.questions {
            let entry = DNSQueryEvidence(name: question.name, type: question.type.name)
            if dns.queries.contains(where: { $0.name == entry.name && $0.type == entry.type }) { continue }
            if dns.queries.count < FlowInspector.Budget.recordedQueries {
                dns.queries.append(entry)
            } else if !message.isResponse {
                dns.queriesDropped += 1
            }
        }
        if !message.isResponse {
            // Questions beyond the parser's own bound were never seen by name.
            dns.queriesDropped += Int(message.questionCount) - message.questions.count
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

/// DNS over TCP: the length-prefixed messages of each direction, each recorded once
/// as the stream prefix grows. Returns the last new response among them.
final class DNSOverTCPUnit {
    private var recorded = (0, 0)

    func examine(_ bytes: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) -> DNSMessage? {
        let messages = DNSMessage.parseTCP(bytes, maxMessages: FlowInspector.Budget.dnsMessages)
        let done = direction == 0 ? recorded.0 : recorded.1
        guard messages.count > done else { return nil }
        if direction == 0 { recorded.0 = messages.count } else { recorded.1 = messages.count }
        var response: DNSMessage?
        for message in messages[done...] {
            if let recorded = DNSUnit.record(message, into: &flow.evidence) { response = recorded }
        }
        return response
    }
}

/// Whether a TCP client stream on a port other than 53 starts with a DNS query
/// (RFC 7766 framing): a 2-byte length (17 to 4096), then a header with QR=0, a standard opcode,
/// one to four questions and no answers, and a first question that parses with a
/// known class. Strict, so that other length-prefixed protocols are not taken.
enum TCPQueryStart {
    enum Verdict { case query, incomplete, notDNS }

    /// Queries are small: EDNS(0), cookies and TSIG stay far below this.
    static let maxQueryLength = 4096

    static func judge(_ bytes: UnsafeRawBufferPointer) -> Verdict {
        // Waiting holds back the later probe rows, so each byte seen must already fit a query.
        guard let high = bytes.first, Int(high) << 8 <= maxQueryLength else { return .notDNS }
        guard bytes.count >= 2 else { return .incomplete }
        let length = Int(bytes[0]) << 8 | Int(bytes[1])
        guard (12 + 5...maxQueryLength).contains(length) else { return .notDNS }
        func u16(_ at: Int) -> UInt16? { bytes.count >= 2 + at + 2 ? UInt16(bytes[2 + at]) << 8 | UInt16(bytes[3 + at]) : nil }
        if let flags = u16(2) {
            let opcode = (flags >> 11) & 0x0F
            guard flags & 0x8000 == 0, opcode == 0 || opcode == 2 || opcode == 4, flags & 0x000F == 0 else { return .notDNS }
        }
        if let questions = u16(4), !(1...4).contains(questions) { return .notDNS }
        if let answers = u16(6), answers != 0 { return .notDNS }
        if let authorities = u16(8), authorities > 16 { return .notDNS }
        if let additionals = u16(10), additionals > 16 { return .notDNS }
        guard bytes.count >= 2 + length else { return .incomplete }
        let body = UnsafeRawBufferPointer(rebasing: bytes[2..<2 + length])
        guard let message = DNSMessage.parse(body), message.isComplete,
              let first = message.questions.first, [1, 3, 4, 254, 255].contains(first.recordClass & 0x7FFF)
        else { return .notDNS }
        return .query
    }
}
