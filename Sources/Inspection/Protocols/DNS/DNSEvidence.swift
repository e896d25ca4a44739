import Schema

public struct DNSQueryEvidence: Sendable {
    public var name: String
    public var type: String
}

public struct DNSAnswerEvidence: Sendable {
    public var name: String
    public var type: String
    public var data: String
    public var ttl: UInt32
}

public struct DNSEvidence: Sendable {
    public var queries: [DNSQueryEvidence] = []
    public var answers: [DNSAnswerEvidence] = []
    public var rcode: String?
    /// Messages parsed in this flow.
    public var messages = 0
}

extension DNSEvidence {
    /// The `dns` object's members.
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        sink.objects(.dnsQueries, queries) { query, item in
            item.text(.dnsQueryName, query.name)
            item.text(.dnsQueryType, query.type)
        }
        sink.objects(.dnsAnswers, answers) { answer, item in
            item.text(.dnsAnswerName, answer.name)
            item.text(.dnsAnswerType, answer.type)
            item.text(.dnsAnswerData, answer.data)
            item.number(.dnsAnswerTTL, answer.ttl)
        }
        sink.text(.dnsRcode, rcode)
    }
}
