// Logging: swift-log to stderr only (stdout carries nothing but NDJSON records).
import Foundation
import Logging

public enum LoggingSetup {
    private static let once = Once()

    /// Bootstrap swift-log once per process: stderr, at `level` ("trace" ... "critical").
    public static func bootstrap(level: String = "info") {
        let lvl = Logger.Level(rawValue: level.lowercased()) ?? .info
        once.run {
            LoggingSystem.bootstrap { label in
                var h = StreamLogHandler.standardError(label: label)
                h.logLevel = lvl
                return h
            }
        }
    }

    public static func logger(_ label: String = "drivepipe", level: String = "info") -> Logger {
        var l = Logger(label: label)
        l.logLevel = Logger.Level(rawValue: level.lowercased()) ?? .info
        return l
    }

    private final class Once: @unchecked Sendable {
        // Invariant: `done` accessed with `lock` held.
        private let lock = NSLock()
        private var done = false
        func run(_ body: () -> Void) {
            lock.lock(); defer { lock.unlock() }
            if !done { done = true; body() }
        }
    }
}
