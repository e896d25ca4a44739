import Decoding
import Flows
import Inspection
import Schema

/// What the user was doing in a flow, from its statistics alone (documented
/// heuristics, in order; the first that holds wins):
///
/// 1. `keepalive`: at most 12 packets and at most 120 payload bytes per packet on
///    average, or a flow of at least 60 s that averages under one packet per 10 s.
/// 2. `video-call`: a media flow (UDP other than DNS/QUIC; or RTP, DTLS, STUN) of at
///    least 50 packets and 8 packets/s over at least 1 s, with a mean payload above
///    500 bytes or above 300 kbit/s in one direction.
/// 3. `voice-call`: such a media flow with a mean payload of 40–500 bytes. (Real calls
///    run at 25–50 packets/s each way; the bounds are low so that sampled captures of
///    calls, as in the peer captures, still read as calls.)
/// 4. `file-transfer`: at least 200 kB in one direction, at least 10 times what
///    the other direction carried, with a mean payload above 900 bytes that way.
/// 5. `chat`: an encrypted messaging transport (TLS, QUIC, MTProto, Noise, OpenVPN,
///    XMPP) that carried under 200 kB over at least 2 payload packets each way.
/// 6. `web`: TLS, QUIC or HTTP otherwise.
/// 7. `unknown`.
public enum Activity {
    private static let messaging: Set<AppProtocol> = [.tls, .quic, .mtproto, .whatsappNoise, .openvpn, .xmpp]

    public static func classify(_ flow: FlowSummary, evidence: FlowEvidence?) -> String {
        let packets = flow.c2s.packets + flow.s2c.packets
        let payload = flow.c2s.payloadBytes + flow.s2c.payloadBytes
        let seconds = Double(max(flow.duration, 0)) / 1e9
        if packets <= 12 && payload <= 120 * max(packets, 1) { return "keepalive" }
        if seconds >= 60 && Double(packets) / seconds < 0.1 { return "keepalive" }

        let app = evidence?.appProto
        let isMedia = flow.proto == IPProtocol.udp && app != .dns && app != .quic
            || app == .rtp || app == .dtls || app == .stun
        if isMedia && seconds >= 1 && packets >= 50 && Double(packets) / seconds >= 8 {
            for direction in [flow.c2s, flow.s2c] where direction.packets > 0 {
                let mean = Double(direction.payloadBytes) / Double(direction.packets)
                let bitrate = Double(direction.payloadBytes) * 8 / seconds
                if mean > 500 || bitrate > 300_000 { return "video-call" }
            }
            let mean = Double(payload) / Double(max(packets, 1))
            if mean >= 40 && mean <= 500 { return "voice-call" }
        }
        for (big, small) in [(flow.c2s, flow.s2c), (flow.s2c, flow.c2s)] {
            let mean = big.packets > 0 ? Double(big.payloadBytes) / Double(big.packets) : 0
            if big.payloadBytes >= 200_000 && big.payloadBytes >= 10 * max(small.payloadBytes, 1) && mean > 900 {
                return "file-transfer"
            }
        }
        var up = 0, down = 0
        for length in flow.payloadLengths {
            if length > 0 { up += 1 } else if length < 0 { down += 1 }
        }
        if let app, messaging.contains(app),
           payload < 200_000 && up >= 2 && down >= 2 {
            return "chat"
        }
        if app == .tls || app == .quic || app == .http { return "web" }
        return "unknown"
    }
}
