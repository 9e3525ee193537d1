// SignalWatcher: SIGINT and SIGTERM as events (DispatchSource), not async-signal handlers. The
// first signal asks the pipeline to stop (drain and finish every accepted frame); a second one
// exits at once, for a pipeline stuck on a reader that stopped reading stdout.
import Dispatch
import Foundation

public final class SignalWatcher: @unchecked Sendable {
    // Invariant: `sources` is set once in init and only cancelled in `cancel`.
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "drivepipe.signals")

    /// Watch SIGINT and SIGTERM; `onFirst` gets the signal's name.
    public init(onFirst: @escaping @Sendable (String) -> Void) {
        let counter = Counter()
        for (sig, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(sig, SIG_IGN)   // delivered through the dispatch source instead
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler {
                if counter.increment() == 1 {
                    onFirst(name)
                } else {
                    let msg = "drivepipe: second \(name): exiting without draining\n"
                    _ = msg.withCString { Foundation.write(2, $0, strlen($0)) }
                    _exit(128 + sig)
                }
            }
            s.resume()
            sources.append(s)
        }
    }

    public func cancel() { for s in sources { s.cancel() } }

    /// Signals counted on the serial queue only.
    private final class Counter: @unchecked Sendable {
        private var n = 0
        func increment() -> Int { n += 1; return n }
    }
}
