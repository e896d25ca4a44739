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
    /// Questions in the flow's queries (QR=0), however many: a DNS tunnel asks hundreds.
    public var queryCount = 0
    /// Of those, the ones not kept in `queries`: the list was full (its bound is
    /// `FlowInspector.Budget.recordedQueries` distinct name and type pairs), or the
    /// flow was past the messages it parses in full and only its headers were counted.
    /// A repeat of a dropped name counts again.
    public var queriesDropped = 0
}

extension DNSEvidence {
    /// The `dns` object's members.
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        sink.objects(.dnsQueries, queries) { query, item in
            item.text(.dnsQueryName, query.name)
            item.text(.dnsQueryType, query.type)
        }
        if queryCount > 0 { sink.number(.dnsQueryCount, queryCount) }
        if queriesDropped > 0 { sink.number(.dnsQueriesDropped, queriesDropped) }
        sink.objects(.dnsAnswers, answers) { answer, item in
            item.text(.dnsAnswerName, answer.name)
            item.text(.dnsAnswerType, answer.type)
            item.text(.dnsAnswerData, answer.data)
            item.number(.dnsAnswerTTL, answer.ttl)
        }
        sink.text(.dnsRcode, rcode)
    }
}
