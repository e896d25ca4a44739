/// A frame's time in nanoseconds since the epoch from libpcap's seconds and fraction,
/// kept within what a classic pcap record can say (seconds 0 ... 2^32 - 1, fraction
/// under a second). pcapng and damaged files can carry any 64-bit time; clamped here,
/// every difference between two frame times downstream (idle and active timeouts,
/// gaps, durations) fits in an Int64 instead of trapping on overflow.
@inline(__always)
func frameNanoseconds(seconds: Int, fraction: Int, fractionIsNanoseconds: Bool) -> Int64 {
    let clampedSeconds = Int64(min(max(seconds, 0), Int(UInt32.max)))
    let scaled = fractionIsNanoseconds ? fraction : fraction &* 1000
    let clampedFraction = Int64(min(max(scaled, 0), 999_999_999))
    return clampedSeconds * 1_000_000_000 + clampedFraction
}
