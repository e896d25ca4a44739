#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Gives up root after the capture devices are open, as `tcpdump -Z` does.
public enum Privileges {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Switches to `user` for good: supplementary groups (initgroups), group, then
    /// user; then checks that root cannot be regained. Run before opening any output.
    public static func drop(to user: String) throws(Failure) {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var storage = [CChar](repeating: 0, count: 16_384)
        let status = getpwnam_r(user, &entry, &storage, storage.count, &result)
        guard status == 0, result != nil else {
            throw Failure(description: "--user \(user): no such user" + (status != 0 ? " (\(String(cString: strerror(status))))" : ""))
        }
        let uid = entry.pw_uid
        let gid = entry.pw_gid
        if getuid() == uid && geteuid() == uid && getgid() == gid && getegid() == gid { return }
        guard geteuid() == 0 else {
            throw Failure(description: "--user \(user): cannot switch user without root privileges")
        }
        func fail(_ step: String) -> Failure {
            Failure(description: "--user \(user): \(step) failed: \(String(cString: strerror(errno)))")
        }
        if initgroups(user, gid) != 0 { throw fail("initgroups") }
        if setgid(gid) != 0 { throw fail("setgid") }
        if setuid(uid) != 0 { throw fail("setuid") }
        // Verify: the ids are the user's and root is gone for good.
        guard getuid() == uid, geteuid() == uid, getgid() == gid, getegid() == gid else {
            throw Failure(description: "--user \(user): the process ids did not change as expected")
        }
        if uid != 0 && (setuid(0) == 0 || seteuid(0) == 0) {
            throw Failure(description: "--user \(user): root privileges could be regained; refusing to continue")
        }
    }
}
