// The fuzzed parsers: each takes arbitrary bytes and must answer with a value or a typed error.
import Config
import Foundation
import ImageIO
import Inference
import Pipeline
import Sources

enum FuzzTarget: String, CaseIterable {
    case image, config, drivelog, onnx

    func run(_ bytes: [UInt8]) {
        switch self {
        case .image:
            // Small pixel limit: the fuzzer should look for crashes, not allocate 40 MP per run.
            _ = try? decodeImage(bytes, options: DecodeOptions(maxPixels: 4_000_000))
            _ = try? decodeImage(bytes, options: DecodeOptions(maxPixels: 4_000_000, targetWidth: 64, targetHeight: 36))
        case .config:
            _ = try? ConfigLoader.parse(yaml: String(decoding: bytes, as: UTF8.self))
        case .drivelog:
            fuzzDriveLog(bytes)
        case .onnx:
            // Load, optimise and plan; run once when it loads (small models only: the fuzzer
            // looks for crashes in the loader, not for slow convolutions).
            guard let s = try? InferenceSession(modelData: bytes), s.flops < 50_000_000 else { return }
            let inputs = Dictionary(uniqueKeysWithValues: s.inputs.map { ($0.name, Tensor(zeros: $0.shape)) })
            _ = try? s.run(inputs)
        }
    }
}

/// A drive log whose manifest is the input, beside one valid tiny frame; read to the end.
private func fuzzDriveLog(_ manifest: [UInt8]) {
    let dir = driveLogScratch
    _ = FileManager.default.createFile(atPath: dir + "/log.jsonl", contents: Data(manifest))
    guard let reader = try? DriveLogReader(folder: dir) else { return }
    let stop = StopToken()
    var n = 0
    while n < 10_000, reader.next(stop: stop) != nil { n += 1 }
}

/// A per-process scratch drive-log folder with frames/a.png (a 1x1 PNG).
let driveLogScratch: String = {
    let dir = NSTemporaryDirectory() + "drivepipe-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: dir + "/frames", withIntermediateDirectories: true)
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1,
                        8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE, 0, 0, 0, 12, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8,
                        0xCF, 0xC0, 0, 0, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44,
                        0xAE, 0x42, 0x60, 0x82]
    _ = FileManager.default.createFile(atPath: dir + "/frames/a.png", contents: Data(png))
    return dir
}()
