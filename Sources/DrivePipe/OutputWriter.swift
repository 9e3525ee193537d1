// OutputWriter: buffered writes to a file descriptor (stdout) with explicit flushes. Lines are
// only ever written whole; a full buffer is flushed, and the sink flushes whenever its input
// queue runs dry, so a live stream sees lines promptly while a replay writes in large blocks.
import Foundation

public final class OutputWriter {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let limit: Int
    /// The reader went away (EPIPE) or another write error: later writes are discarded.
    public private(set) var failure: String?

    private let onFailure: (String) -> Void

    /// `onFailure` runs once, on the first failed write (e.g. stop the source when stdout is gone).
    public init(fd: Int32 = 1, bufferBytes: Int = 64 << 10, onFailure: @escaping (String) -> Void = { _ in }) {
        self.fd = fd
        self.onFailure = onFailure
        self.limit = bufferBytes
        buffer.reserveCapacity(bufferBytes)
    }

    public func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= limit { flush() }
    }

    public func flush() {
        guard failure == nil else { buffer.removeAll(keepingCapacity: true); return }
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { raw in
                Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let why = String(cString: strerror(errno))
                failure = why
                onFailure(why)
                break
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
