/// Where a record describes its fields: every projection (the JSON object, the CSV
/// row, the fingerprint line, the table's headline, the rules' facts) is a sink.
/// A record calls the sink in field order, naming each field by its `Field` case;
/// values that cost something to build are passed as autoclosures, so a sink that
/// does not want a field (`wants`) never builds them.
///
/// Records describe themselves with generic, `@inlinable` functions so that each
/// sink gets its own specialised copy: no dynamic dispatch, nothing allocated.
public protocol FieldSink {
    /// Whether the sink uses `field` at all (a cheap check before building a value).
    func wants(_ field: Field) -> Bool
    mutating func text(_ field: Field, _ value: String)
    mutating func texts(_ field: Field, _ values: [String])
    mutating func number<T: BinaryInteger>(_ field: Field, _ value: T)
    mutating func numbers<T: BinaryInteger>(_ field: Field, _ values: [T])
    mutating func bool(_ field: Field, _ value: Bool)
    /// A point in time, nanoseconds since the Unix epoch.
    mutating func time(_ field: Field, nanoseconds: Int64)
    /// A duration in nanoseconds (written as seconds).
    mutating func seconds(_ field: Field, nanoseconds: Int64)
    /// A nested object: `body` describes its members.
    mutating func object(_ field: Field, _ body: (inout Self) -> Void)
    /// A list of nested objects, each described by `body`.
    mutating func objects<C: Collection>(_ field: Field, _ items: C, _ body: (C.Element, inout Self) -> Void)
}

extension FieldSink {
    /// A text built only when the sink wants the field.
    @inlinable
    public mutating func text(_ field: Field, lazy value: @autoclosure () -> String) {
        if wants(field) { text(field, value()) }
    }

    /// An optional text: nothing when nil.
    @inlinable
    public mutating func text(_ field: Field, _ value: String?) {
        if let value { text(field, value) }
    }
}

/// The parts of a sink most sinks share: they ignore the structure and only
/// read some fields' values. Override what you read.
public protocol FlatFieldSink: FieldSink {}

extension FlatFieldSink {
    @inlinable public mutating func object(_ field: Field, _ body: (inout Self) -> Void) { body(&self) }
    @inlinable public mutating func objects<C: Collection>(_ field: Field, _ items: C, _ body: (C.Element, inout Self) -> Void) {
        for item in items { body(item, &self) }
    }
}
