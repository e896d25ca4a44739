import ArgumentParser
import Extraction
import Reports

/// Which flows `extract` and `report` take: by id, by Community ID, by platform,
/// by server name, by time.
struct SelectionOptions: ParsableArguments {
    @Option(name: .long, help: "A flow_id to select (repeatable; the first part's id selects every part of a split flow).")
    var flow: [UInt64] = []

    @Option(name: .customLong("community-id"), help: "A Community ID to select (repeatable).")
    var communityID: [String] = []

    @Option(name: .long, help: "Only flows labelled with this platform (e.g. Signal).")
    var platform: String?

    @Option(name: .long, help: "Only flows whose TLS/QUIC server name is SUFFIX or ends in .SUFFIX.")
    var sni: String?

    @Option(name: .long, help: ArgumentHelp("Only flows active at or after this UTC time (2024-05-01T12:00:00Z or 2024-05-01).", valueName: "TIME"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("Only flows active at or before this UTC time.", valueName: "TIME"))
    var until: String?

    func validate() throws {
        _ = try selection()
    }

    func selection() throws -> ExtractSelection {
        var selection = ExtractSelection()
        selection.flowIDs = flow
        selection.communityIDs = communityID
        selection.platform = platform
        selection.sniSuffix = sni
        for (name, text) in [("--from", from), ("--until", until)] {
            guard let text else { continue }
            guard let time = TimeFormat.parseUTC(text) else {
                throw ValidationError("\(name) '\(text)': expected a UTC time such as 2024-05-01T12:00:00Z or 2024-05-01.")
            }
            if name == "--from" { selection.from = time } else { selection.until = time }
        }
        return selection
    }
}
