import Testing
import Dissectors
@testable import Fingerprints


@Suite("HASSH")
struct HASSHTests {
    // Expected values: tshark 4.0 on Captures/lab-ssh.pcap with `-d tcp.port==2222,ssh`,
    // fields ssh.kex.hassh / ssh.kex.hassh_algorithms / ssh.kex.hasshserver(_algorithms).
    @Test func clientMatchesTshark() throws {
        let kex = try #require(SSHLabFixture.client.withUnsafeBytes { SSHStream.parse($0) }?.kexInit)
        let hassh = HASSH.client(kex)
        #expect(hassh.hash == "472b5de333ad665af5cbf10ff892c4df")
        #expect(hassh.algorithms == "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,ext-info-c,kex-strict-c-v00@openssh.com;chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com;umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1;none,zlib@openssh.com,zlib")
    }

    @Test func serverMatchesTshark() throws {
        let kex = try #require(SSHLabFixture.server.withUnsafeBytes { SSHStream.parse($0) }?.kexInit)
        let hassh = HASSH.server(kex)
        #expect(hassh.hash == "425d29fe50d8e4f5e37efb6e24bcf660")
        #expect(hassh.algorithms.hasSuffix(";none,zlib@openssh.com"))
        #expect(hassh.algorithms.contains("kex-strict-s-v00@openssh.com;chacha20-poly1305@openssh.com"))
    }

    @Test func md5OfKnownString() {
        // MD5("") and MD5("abc") (RFC 1321 test suite).
        #expect(HASSH(algorithms: "").hash == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(HASSH(algorithms: "abc").hash == "900150983cd24fb0d6963f7d28e17f72")
    }
}
