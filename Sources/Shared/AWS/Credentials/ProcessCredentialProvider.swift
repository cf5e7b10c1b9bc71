import Dispatch
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Credentials printed by a profile's `credential_process` command: run with `/bin/sh -c` in the given environment,
/// its standard output read as the JSON of the process credential format, Version 1 (`AccessKeyId`,
/// `SecretAccessKey`, optional `SessionToken` and `Expiration`). Credentials with an `Expiration` are fetched again
/// when the chain refreshes them; without one they are kept.
///
/// The command's standard error is discarded and its output never appears in an error (it holds the secret); a
/// command that does not finish within `timeoutSeconds`, or prints more than 64 KiB, is killed with everything it
/// started (it runs in a process group of its own).
public struct ProcessCredentialProvider: AWSCredentialProvider {
    static let source = "process"
    static let maxOutputBytes = 64 * 1024

    public let command: String
    /// Where the command came from, for messages (`profile 'dev'`).
    public let origin: String
    let environment: [String: String]
    let timeoutSeconds: Double

    public init(command: String, origin: String, environment: [String: String], timeoutSeconds: Double = 60) {
        self.command = command
        self.origin = origin
        self.environment = environment
        self.timeoutSeconds = timeoutSeconds
    }

    public func credentials() async throws -> AWSCredentials {
        let outcome = await Self.run(command, environment: environment, timeoutSeconds: timeoutSeconds)
        let what = "the credential_process of \(origin)"
        switch outcome {
        case .failedToStart(let reason):
            throw AWSCredentialError(.unavailable, source: Self.source, message: "\(what) could not start: \(reason)")
        case .timedOut:
            throw AWSCredentialError(
                .unavailable, source: Self.source,
                message: "\(what) did not finish within \(Self.seconds(timeoutSeconds)) s and was stopped")
        case .tooLarge:
            throw AWSCredentialError(
                .invalidResponse, source: Self.source,
                message: "\(what) printed more than \(Self.maxOutputBytes) bytes")
        case .killed(let signal):
            throw AWSCredentialError(
                .unavailable, source: Self.source, message: "\(what) was killed by signal \(signal)")
        case .exited(let status, _) where status != 0:
            throw AWSCredentialError(.unavailable, source: Self.source, message: "\(what) exited with status \(status)")
        case .exited(_, let output):
            return try Self.parse(output, origin: origin)
        }
    }

    /// `60`, `0.5`.
    static func seconds(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e9 ? String(Int(value)) : String(value)
    }

    /// Decodes the process credential JSON (Version 1). Errors name the missing or wrong field, never a value.
    public static func parse(_ output: [UInt8], origin: String) throws(AWSCredentialError) -> AWSCredentials {
        struct Output: Decodable {
            var Version: Int?
            var AccessKeyId: String?
            var SecretAccessKey: String?
            var SessionToken: String?
            var Expiration: String?
        }
        let what = "the output of the credential_process of \(origin)"
        let decoded: Output
        do {
            decoded = try JSONDecoder().decode(Output.self, from: Data(output))
        } catch {
            throw AWSCredentialError(
                .invalidResponse, source: source, message: "\(what) is not the process credential JSON")
        }
        guard let version = decoded.Version else {
            throw AWSCredentialError(.invalidResponse, source: source, message: "\(what) has no Version")
        }
        guard version == 1 else {
            throw AWSCredentialError(
                .invalidResponse, source: source, message: "\(what) has Version \(version); only 1 is supported")
        }
        return try AWSCredentials.fromDocument(
            accessKeyID: decoded.AccessKeyId, secretAccessKey: decoded.SecretAccessKey,
            sessionToken: decoded.SessionToken, expiration: decoded.Expiration, source: source, what: what)
    }

    enum Outcome: Sendable {
        case exited(status: Int32, output: [UInt8])
        case killed(signal: Int32)
        case timedOut
        case tooLarge
        case failedToStart(String)
    }

    /// Runs `/bin/sh -c command` in a process group of its own (so that killing it reaches what it started) on a
    /// dispatch thread (reading its pipe and waiting block), and returns when it exits, or when the deadline passes
    /// (the group is then killed; nothing it left behind can hold the caller).
    static func run(_ command: String, environment: [String: String], timeoutSeconds: Double) async -> Outcome {
        let result = OnceResult()
        let box = PIDBox()
        return await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
            result.set(continuation)
            DispatchQueue.global().async {
                let child: (pid: pid_t, output: Int32)
                do {
                    child = try spawn(command, environment: environment)
                } catch let error as SpawnError {
                    result.resume(.failedToStart(error.reason))
                    return
                } catch {
                    result.resume(.failedToStart("\(type(of: error))"))
                    return
                }
                box.pid.withLock { $0 = child.pid }
                var output: [UInt8] = []
                var tooLarge = false
                var buffer = [UInt8](repeating: 0, count: 16 * 1024)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(child.output, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { break }
                    output += buffer[..<count]
                    if output.count > maxOutputBytes {
                        tooLarge = true
                        box.killGroup()
                        break
                    }
                }
                close(child.output)
                var status: Int32 = 0
                var waited: pid_t
                repeat { waited = waitpid(child.pid, &status, 0) } while waited < 0 && errno == EINTR
                box.pid.withLock { $0 = 0 }
                let signal = status & 0x7f
                if tooLarge {
                    result.resume(.tooLarge)
                } else if waited == child.pid && signal != 0 {
                    result.resume(.killed(signal: signal))
                } else {
                    result.resume(.exited(status: waited == child.pid ? (status >> 8) & 0xff : 0, output: output))
                }
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) {
                guard result.resume(.timedOut) else { return }
                box.killGroup()
            }
        }
    }

    struct SpawnError: Error {
        var reason: String
    }

    /// `posix_spawn` of `/bin/sh -c command` with `environment`, standard input and error on /dev/null, standard
    /// output on a pipe (returned), its own process group and default signal handling.
    static func spawn(
        _ command: String, environment: [String: String]
    ) throws(SpawnError) -> (
        pid: pid_t, output: Int32
    ) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw SpawnError(reason: "pipe failed (errno \(errno))") }
        // Neither end leaks into other children this process starts; dup2 gives the child a plain fd 1.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)

        let arguments: [String] = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp)
        close(fds[1])
        guard status == 0 else {
            close(fds[0])
            throw SpawnError(reason: "posix_spawn failed (errno \(status))")
        }
        return (pid, fds[0])
    }

    /// The child's PID (and process group) while it runs, 0 otherwise.
    final class PIDBox: Sendable {
        let pid = Mutex<pid_t>(0)

        /// Kills the child's whole process group, if it still runs.
        func killGroup() {
            pid.withLock { pid in
                if pid > 0 { _ = kill(-pid, SIGKILL) }
            }
        }
    }

    /// Resumes a continuation once; later outcomes are dropped.
    final class OnceResult: Sendable {
        let continuation = Mutex<CheckedContinuation<Outcome, Never>?>(nil)

        func set(_ continuation: CheckedContinuation<Outcome, Never>) {
            self.continuation.withLock { $0 = continuation }
        }

        /// Whether this outcome was the one delivered.
        @discardableResult func resume(_ outcome: Outcome) -> Bool {
            guard
                let continuation = continuation.withLock({ stored in
                    defer { stored = nil }; return stored
                })
            else {
                return false
            }
            continuation.resume(returning: outcome)
            return true
        }
    }
}
