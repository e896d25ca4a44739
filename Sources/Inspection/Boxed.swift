/// An optional value kept out of line, with value semantics (copy on write).
///
/// A flow's evidence lives as long as the flow, and most flows carry one kind of
/// record or none: boxing the records keeps what every open flow holds small (a
/// pointer per kind) while a TLS flow still pays for its TLS record.
@propertyWrapper
public struct Boxed<Value: Sendable>: Sendable {
    /// Never mutated while shared: `wrappedValue`'s setter copies a shared box first.
    @usableFromInline
    final class Box: @unchecked Sendable {
        @usableFromInline var value: Value
        init(_ value: Value) { self.value = value }
    }

    @usableFromInline var box: Box?

    /// `$name`: the box itself, so that a reader can use the value in place
    /// (`$tls.box?.value.describe(…)`) where `wrappedValue` would copy it out,
    /// retaining every string and array it holds.
    @inlinable public var projectedValue: Boxed<Value> { self }

    public init(wrappedValue: Value?) {
        box = wrappedValue.map(Box.init)
    }

    public var wrappedValue: Value? {
        get { box?.value }
        set {
            guard let newValue else {
                box = nil
                return
            }
            if isKnownUniquelyReferenced(&box) {
                box!.value = newValue
            } else {
                box = Box(newValue)
            }
        }
    }
}
