import Dissectors
import Schema

/// Protocols whose TCP stream turns into another after a clear-text exchange:
/// STARTTLS in SMTP, IMAP, POP3 and FTP, LDAP StartTLS, PostgreSQL's SSLRequest,
/// RDP's negotiation, and proxies (HTTP CONNECT, SOCKS4/4a/5). Until the inner stream
/// begins, each direction's clear text is read by the protocol's dissector
/// (`Dissectors/Upgrades/`); from there on its bytes go to the TLS handshake loop,
/// as for TLS over TCP. The flow keeps the outer protocol's name (`app_proto`: `smtp`
/// with a `tls` object, as Suricata and Zeek report STARTTLS); proxies add `proxy`.
final class UpgradeUnit {
    enum Kind {
        /// nil: a `220` greeting naming neither SMTP nor FTP, until the client's first command tells.
        case line(LineUpgrade.Dialect?)
        case ldap, postgres, rdp, httpConnect
        case socks(ProxyTarget.Kind)
    }

    /// Clear text looked at before giving up on an upgrade, per direction.
    static let cleartextLimit = 8 * 1024

    private(set) var kind: Kind
    /// Per direction: the stream offset where the inner stream begins (-1 before).
    private var innerStart: (client: Int32, server: Int32) = (-1, -1)
    /// Per direction: where the next line scan resumes (line protocols).
    private var resume: (client: Int32, server: Int32) = (0, 0)

    init(_ kind: Kind) {
        self.kind = kind
    }

    /// An HTTP CONNECT whose request head is complete: the client's tunnel starts after it.
    init(httpConnectTunnelAt clientStart: Int) {
        kind = .httpConnect
        innerStart.client = Int32(clientStart)
    }

    func examine(_ bytes: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) {
        var start = Int(direction == 0 ? innerStart.client : innerStart.server)
        if start < 0 {
            switch negotiate(bytes, direction: direction, flow: flow) {
            case .pending:
                if bytes.count >= UpgradeUnit.cleartextLimit || flow.streamIsFull(direction) { flow.done(direction) }
                return
            case .plain:
                // Refused, or not what the first bytes suggested: nothing more to learn.
                flow.done(0)
                flow.done(1)
                return
            case .innerStarts(let offset):
                start = offset
                if direction == 0 { innerStart.client = Int32(offset) } else { innerStart.server = Int32(offset) }
                flow.allowTLSHandshakeBytes()
            }
        }
        guard bytes.count > start else { return }
        TLSUnit.examine(UnsafeRawBufferPointer(rebasing: bytes[start...]), direction: direction, flow: flow)
    }

    private func negotiate(_ bytes: UnsafeRawBufferPointer, direction: Int, flow: FlowInspector) -> UpgradeNegotiation {
        let fromClient = direction == 0
        switch kind {
        case .line(var dialect):
            if dialect == nil && fromClient, let told = LineUpgrade.dialect(ofFirstCommand: bytes) {
                dialect = told
                kind = .line(told)
                flow.evidence.appProto = told.appProto
            }
            let from = Int(fromClient ? resume.client : resume.server)
            let scan = LineUpgrade.scan(bytes, from: from, dialect: dialect, fromClient: fromClient)
            if fromClient { resume.client = Int32(scan.resume) } else { resume.server = Int32(scan.resume) }
            return scan.negotiation
        case .ldap:
            return LDAPStartTLS.negotiation(bytes, fromClient: fromClient)
        case .postgres:
            return PostgresSSLRequest.negotiation(bytes, fromClient: fromClient)
        case .rdp:
            return RDPNegotiation.negotiation(bytes, fromClient: fromClient)
        case .httpConnect:
            // The client's side was settled when the unit was made.
            return fromClient ? .plain : HTTPConnect.response(bytes)
        case .socks(let version):
            guard fromClient else { return SOCKS.server(bytes, version: version) }
            switch SOCKS.client(bytes) {
            case .pending: return .pending
            case .notSOCKS: return .plain
            case .request(let target, let start):
                flow.evidence.proxy = ProxyEvidence(target)
                return .innerStarts(at: start)
            }
        }
    }
}

extension LineUpgrade.Dialect {
    var appProto: AppProtocol {
        switch self {
        case .smtp: .smtp
        case .ftp: .ftp
        case .imap: .imap
        case .pop3: .pop3
        }
    }
}

extension ProxyEvidence {
    init(_ target: ProxyTarget) {
        self.init(type: target.kind.rawValue, targetHost: target.host, targetPort: target.port)
    }
}
