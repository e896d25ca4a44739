import Dissectors

/// The probe rows of the upgrade unit: each looks at the first bytes only (a greeting,
/// a magic number, a frame header), so flows of other protocols pay a few compares.
extension UpgradeUnit {
    /// Ports where a bare `220` greeting is taken for FTP rather than SMTP (a tie-breaker only).
    static let ftpPorts: Set<UInt16> = [21, 990, 2121]

    /// The server's greeting: SMTP or FTP (`220`), IMAP (`* OK`), POP3 (`+OK`).
    static func probeGreeting(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        switch LineUpgrade.greeting(bytes) {
        case nil:
            return nil
        case .known(let dialect)?:
            flow.evidence.appProto = dialect.appProto
            return .upgrade(UpgradeUnit(.line(dialect)))
        case .smtpOrFTP?:
            flow.evidence.appProto = ftpPorts.contains(flow.serverPort) ? .ftp : .smtp
            return .upgrade(UpgradeUnit(.line(nil)))
        }
    }

    static func probeLDAP(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard LDAPStartTLS.looksLikeLDAP(bytes) else { return nil }
        flow.evidence.appProto = .ldap
        return .upgrade(UpgradeUnit(.ldap))
    }

    static func probePostgres(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard PostgresSSLRequest.isRequest(bytes) else { return nil }
        flow.evidence.appProto = .postgresql
        return .upgrade(UpgradeUnit(.postgres))
    }

    static func probeRDP(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard RDPNegotiation.isConnectionRequest(bytes) else { return nil }
        flow.evidence.appProto = .rdp
        return .upgrade(UpgradeUnit(.rdp))
    }

    static func probeSOCKS(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> ProtocolUnit? {
        guard SOCKS.looksLikeRequest(bytes) else { return nil }
        flow.evidence.appProto = .socks
        return .upgrade(UpgradeUnit(.socks(bytes[0] == 5 ? .socks5 : .socks4)))
    }

    /// From the HTTP unit: a CONNECT request with a complete head. Records the target and
    /// turns the flow into a tunnel whose TLS handshake is dissected after a 2xx response.
    static func beginHTTPConnect(_ bytes: UnsafeRawBufferPointer, flow: FlowInspector) -> Bool {
        guard let connect = HTTPConnect.request(bytes) else { return false }
        flow.evidence.proxy = ProxyEvidence(connect.target)
        let unit = UpgradeUnit(httpConnectTunnelAt: connect.innerStart)
        flow.unit = .upgrade(unit)
        unit.examine(bytes, direction: 0, flow: flow)
        return true
    }
}
