/// The table's one-fact column: the value of the field with the best `headline`
/// rank among those described (the first value of a list).
public struct HeadlineSink: FlatFieldSink {
    public private(set) var best: String?
    private var bestRank = Int.max

    public init() {}

    @inlinable public func wants(_ field: Field) -> Bool { Field.declarations[field.rawValue].headline > 0 }

    public mutating func text(_ field: Field, _ value: String) {
        let rank = Field.declarations[field.rawValue].headline
        if rank > 0 && rank < bestRank {
            best = value
            bestRank = rank
        }
    }

    public mutating func texts(_ field: Field, _ values: [String]) {
        if let first = values.first { text(field, first) }
    }

    public mutating func number<T: BinaryInteger>(_ field: Field, _ value: T) {}
    public mutating func numbers<T: BinaryInteger>(_ field: Field, _ values: [T]) {}
    public mutating func bool(_ field: Field, _ value: Bool) {}
    public mutating func time(_ field: Field, nanoseconds: Int64) {}
    public mutating func seconds(_ field: Field, nanoseconds: Int64) {}
}
