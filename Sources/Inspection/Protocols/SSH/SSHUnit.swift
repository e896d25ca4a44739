import Dissectors
import Fingerprints
import FingerprintsFoxIO

/// SSH: banners and KEXINIT (HASSH) from the stream prefixes; JA4SSH from packet
/// sizes, which goes on after dissection (one fingerprint per 200 packets).
final class SSHUnit {
    private var ja4ssh: JA4SSH? = JA4SSH()

    /// Whether JA4SSH still wants packets.
    var wantsPackets: Bool { ja4ssh != nil }

    /// "SSH-" from either side. The packets seen before are replayed into JA4SSH
    /// (the one being examined too: the inspector feeds only later ones).
    static func probe(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard bytes.count >= 4 && bytes[0] == 0x53 && bytes[1] == 0x53 && bytes[2] == 0x48 && bytes[3] == 0x2D else { return nil }
        flow.evidence.appProto = .ssh
        flow.evidence.ssh = SSHEvidence()
        let ssh = SSHUnit()
        for entry in flow.earlyPackets { ssh.feed(entry, into: &flow.evidence) }
        flow.earlyPackets = []
        return .ssh(ssh)
    }

    static func examine(_ bytes: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) {
        guard let stream = SSHStream.parse(bytes) else {
            if flow.streamIsFull(direction) || bytes.count > 4096 { flow.done(direction) }
            return
        }
        var ssh = flow.evidence.ssh ?? SSHEvidence()
        if direction == 0 { ssh.clientBanner = stream.banner.text } else { ssh.serverBanner = stream.banner.text }
        if let kex = stream.kexInit {
            if direction == 0 { ssh.hassh = HASSH.client(kex).hash } else { ssh.hasshServer = HASSH.server(kex).hash }
            flow.done(direction)
        } else if flow.streamIsFull(direction) {
            flow.done(direction)
        }
        flow.evidence.ssh = ssh
    }

    func feed(_ entry: JA4SSHPacket, into evidence: inout FlowEvidence) {
        guard ja4ssh != nil else { return }
        // In place: the accumulator's tables are not copied per packet.
        if let fingerprint = ja4ssh!.add(entry) {
            evidence.ssh?.ja4ssh.append(fingerprint)
        }
        if (evidence.ssh?.ja4ssh.count ?? 0) >= FlowInspector.Budget.ja4sshWindows { ja4ssh = nil }
    }

    /// At the end of the flow: the partial last window.
    func finish(into evidence: inout FlowEvidence) {
        if let accumulator = ja4ssh, let last = accumulator.finish() {
            evidence.ssh?.ja4ssh.append(last)
            ja4ssh = nil
        }
    }
}
