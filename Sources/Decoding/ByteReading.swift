// Unchecked big-endian loads over a raw buffer. Every caller checks the bounds
// first (`offset + width <= count`); these helpers keep the hot path free of
// the repeated checks and of any copy.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func u8(_ offset: Int) -> UInt8 {
        load(fromByteOffset: offset, as: UInt8.self)
    }

    @inline(__always)
    func u16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    func u32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    func u64(_ offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The bytes from `start` to the end, or an empty buffer when `start` is past it.
    @inline(__always)
    func tail(from start: Int) -> UnsafeRawBufferPointer {
        guard start < count, let base = baseAddress else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + start, count: count - start)
    }

    /// `length` bytes from `start`, clipped to what is there.
    @inline(__always)
    func slice(from start: Int, length: Int) -> UnsafeRawBufferPointer {
        guard start < count, length > 0, let base = baseAddress else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + start, count: Swift.min(length, count - start))
    }
}

// Little-endian loads, for the headers that are written in host order (radiotap,
// NFLOG TLVs); the same bounds contract as above.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func u16le(_ offset: Int) -> UInt16 {
        UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    func u32le(_ offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}
