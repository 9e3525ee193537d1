// LineReader: streams a text file line by line (getline), so a long manifest never sits in memory.
import Foundation

final class LineReader {
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>? = nil
    private var capacity = 0
    /// 1-based number of the last line returned.
    private(set) var lineNumber = 0

    init(path: String) throws(SourceError) {
        guard let f = fopen(path, "r") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        file = f
    }

    deinit {
        fclose(file)
        free(buffer)
    }

    /// The next line without its newline; nil at end of file. Invalid UTF-8 is repaired (U+FFFD)
    /// and then rejected by the JSON parser with a clear message.
    func next() -> String? {
        let n = getline(&buffer, &capacity, file)
        guard n >= 0, let buffer else { return nil }
        lineNumber += 1
        var len = n
        while len > 0, buffer[len - 1] == 0x0a || buffer[len - 1] == 0x0d { len -= 1 }
        return buffer.withMemoryRebound(to: UInt8.self, capacity: len) {
            String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self)
        }
    }
}
