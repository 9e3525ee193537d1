// A scratch folder per test, removed at the end.
import Foundation

final class TempDir {
    let path: String
    init(_ label: String = "dp") {
        path = NSTemporaryDirectory() + "/\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ rel: String, _ text: String) -> String { write(rel, bytes: Array(text.utf8)) }

    @discardableResult
    func write(_ rel: String, bytes: [UInt8]) -> String {
        let full = path + "/" + rel
        try? FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: full, contents: Data(bytes))
        return full
    }

    func mkdir(_ rel: String) { try? FileManager.default.createDirectory(atPath: path + "/" + rel, withIntermediateDirectories: true) }
}

let metadataLine = #"{"type":"metadata","version":1,"camera":{"name":"cam","width":64,"height":48,"fx":60,"fy":60,"cx":32,"cy":24,"distortion":[0.1,0,0,0,0],"mount_height_m":1.3,"pitch_rad":0.02},"signals":"recorded"}"#
