import Dispatch

/// The case commands are synchronous (`CaseStore`); PostgresNIO is async. `wait`
/// runs one async step on the concurrency pool and blocks the calling thread (a
/// command's main thread, never a pool thread) until it is done.
enum Blocking {
    static func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

/// Written by the task before it signals, read by the waiter after: the semaphore orders the two.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
