/// Reads a fuzzer's input as a little structured stream: bytes, integers and
/// length-prefixed chunks, never failing (missing bytes read as zero / empty).
public struct FuzzInput {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0

    public init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = UnsafeRawBufferPointer(start: size > 0 ? UnsafeRawPointer(data) : nil, count: size)
    }

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    public mutating func u8() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func u16() -> UInt16 { UInt16(u8()) << 8 | UInt16(u8()) }

    /// The next `count` bytes (fewer at the end), as a view into the input.
    public mutating func take(_ count: Int) -> UnsafeRawBufferPointer {
        let n = max(0, min(count, remaining))
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n])
    }

    /// Everything left.
    public mutating func rest() -> UnsafeRawBufferPointer { take(remaining) }

    /// A chunk with a 2-byte big-endian length in front (cut to what is left).
    public mutating func chunk() -> UnsafeRawBufferPointer { take(Int(u16())) }

    /// Splits the rest into chunks: a 2-byte length then that many bytes, until the
    /// end. Each chunk is copied into its own allocation so ASan sees its exact end.
    public mutating func chunks(limit: Int = 256) -> [[UInt8]] {
        var out: [[UInt8]] = []
        while !isAtEnd, out.count < limit { out.append(Array(chunk())) }
        return out
    }
}

/// Calls `body` with a buffer holding exactly `bytes`, in its own allocation, so
/// that any read past the end is an AddressSanitizer report.
@inline(never) @discardableResult
public func withExactBuffer<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
    defer { buffer.deallocate() }
    _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
    return body(UnsafeRawBufferPointer(rebasing: buffer[0..<bytes.count]))
}

/// Keeps a value alive and observed, so the optimizer cannot drop the work that made it.
@inline(never)
public func consume<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// Touches every byte of a buffer the code under test returned (ASan checks the reads).
@inline(never)
public func touch(_ bytes: UnsafeRawBufferPointer) -> UInt8 {
    var sum: UInt8 = 0
    for byte in bytes { sum &+= byte }
    return sum
}
