/// The application protocols cipherscope recognises on the wire: a closed set.
/// Inside the pipeline protocols are compared as these cases; the text
/// (`rawValue`) appears only at the edges: output (`app_proto`) and rule packs.
public enum AppProtocol: String, Sendable, Hashable, CaseIterable {
    case tls
    case quic
    case dtls
    case dns
    case http
    case ssh
    case stun
    case rtp
    case mtproto
    case whatsappNoise = "whatsapp-noise"
    case openvpn
    case wireguard
    case xmpp
    // Clear-text protocols that may turn into TLS (STARTTLS and the like) or relay a stream.
    case smtp, imap, pop3, ftp, ldap, postgresql, rdp, socks

    /// The name as written in outputs and rule packs.
    @inlinable public var name: String { rawValue }
}
