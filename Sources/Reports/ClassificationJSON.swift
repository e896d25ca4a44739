import Classifier

/// The label keys of a flow's JSON object: `platform`, `service`, `confidence`,
/// `rules` (best first), `evidence` [{`field`, `value`, `rule`, `cross_flow`}]
/// and `activity`.
enum ClassificationJSON {
    static func add(_ classification: Classification, to json: inout JSONObject) {
        if let platform = classification.platform { json.add("platform", platform) }
        if let service = classification.service { json.add("service", service) }
        if let confidence = classification.confidence { json.add("confidence", confidence.name) }
        if !classification.rules.isEmpty { json.add("rules", strings: classification.rules) }
        if !classification.evidence.isEmpty {
            json.addObjects("evidence", classification.evidence) { item, object in
                object.add("field", item.field)
                object.add("value", item.value)
                object.add("rule", item.rule)
                if let how = item.crossFlow { object.add("cross_flow", how) }
            }
        }
        json.add("activity", classification.activity)
    }
}
