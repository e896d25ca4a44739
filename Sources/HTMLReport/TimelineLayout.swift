import Reports

/// The geometry of the timeline chart (an inline SVG drawn by the `timeline`
/// template): a UTC time axis over the report's period, one row per client and
/// platform, one bar per flow from its first to its last packet; calls are marked.
/// Coordinates are computed here; the template only places them, escaping every text.
struct TimelineLayout {
    static let width = 960.0
    static let labelWidth = 250.0
    static let rightMargin = 16.0
    static let axisHeight = 34.0
    static let rowHeight = 20.0
    static let barHeight = 12.0
    static let tickCount = 5

    let start: Int64
    let end: Int64

    init(start: Int64, end: Int64) {
        self.start = start
        // A period of one instant still gets a visible axis: one second.
        self.end = max(end, start + 1_000_000_000)
    }

    var plotWidth: Double { Self.width - Self.labelWidth - Self.rightMargin }

    func x(_ time: Int64) -> Double {
        let clamped = min(max(time, start), end)
        return Self.labelWidth + Double(clamped - start) / Double(end - start) * plotWidth
    }

    /// The mustache context of the chart.
    func context(rows: [ReportContent.Row], describe: (ReportContent.Bar) -> String) -> [String: Any] {
        let height = Self.axisHeight + Double(rows.count) * Self.rowHeight + 8
        var ticks: [[String: Any]] = []
        for index in 0..<Self.tickCount {
            let time = start + (end - start) / Int64(Self.tickCount - 1) * Int64(index)
            let civil = TimeFormat.civil(Self.floorSeconds(time))
            let x = self.x(time)
            // Over a day, the date matters more than the seconds.
            let label = end - start >= 86_400_000_000_000 ? "\(civil.date) \(civil.time.prefix(5))" : civil.time
            ticks.append([
                "x": Self.number(x), "y2": Self.number(height - 4),
                "label": label, "anchor": index == 0 ? "start" : index == Self.tickCount - 1 ? "end" : "middle",
            ])
        }
        var rowContexts: [[String: Any]] = []
        for (index, row) in rows.enumerated() {
            let top = Self.axisHeight + Double(index) * Self.rowHeight
            let barTop = top + (Self.rowHeight - Self.barHeight) / 2
            let bars: [[String: Any]] = row.bars.map { bar in
                let left = x(bar.start)
                let call = bar.activity == "voice-call" || bar.activity == "video-call"
                return [
                    "x": Self.number(left), "y": Self.number(barTop),
                    "w": Self.number(max(2, x(bar.end) - left)), "h": Self.number(Self.barHeight),
                    "cls": call ? "bar call" : "bar", "title": describe(bar),
                ]
            }
            rowContexts.append([
                "y": Self.number(top), "h": Self.number(Self.rowHeight), "stripe": index % 2 == 0,
                "textY": Self.number(top + Self.rowHeight / 2 + 4),
                "label": "\(row.client) · \(row.platform)", "bars": bars,
            ])
        }
        return [
            "width": Self.number(Self.width), "height": Self.number(height),
            "plotX": Self.number(Self.labelWidth), "plotWidth": Self.number(plotWidth),
            "axisY": Self.number(Self.axisHeight - 6), "tickY": Self.number(Self.axisHeight - 12),
            "ticks": ticks, "rows": rowContexts,
        ]
    }

    static func floorSeconds(_ nanoseconds: Int64) -> Int64 {
        nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
    }

    /// A coordinate with one decimal, locale-free.
    static func number(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}
