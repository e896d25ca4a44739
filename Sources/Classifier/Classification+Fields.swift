import Rules
import Schema

extension Classification {
    /// The label's fields, in order (the last keys of a flow's JSON object).
    @inlinable
    public func describe<Sink: FieldSink>(into sink: inout Sink) {
        sink.text(.platform, platform)
        sink.text(.service, service)
        if let confidence { sink.text(.confidence, confidence.rawValue) }
        if !rules.isEmpty { sink.texts(.rules, rules) }
        if !evidence.isEmpty {
            sink.objects(.evidence, evidence) { item, object in
                object.text(.evidenceField, item.field)
                object.text(.evidenceValue, item.value)
                object.text(.evidenceRule, item.rule)
                object.text(.evidenceCrossFlow, item.crossFlow)
            }
        }
        sink.text(.activity, activity)
    }
}
