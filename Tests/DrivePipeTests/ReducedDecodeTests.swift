// The decode stage's DCT-scaled JPEG decode (decode.reduced_size): the pixels are libjpeg's own
// scaled decode (djpeg -scale 1/2, committed as checksummed samples in fixtures/images/manifest.json),
// the frame's true size is what every later stage sees (odd sizes too), PNG is untouched, and
// overlays get full-resolution pixels without changing any decision.
import Config
import FixtureChecksum
import Foundation
import ImageIO
import Messages
import Pipeline
import Sources
import Testing
@testable import DrivePipe

/// The default pipeline with the model card's input size, accurate or fast IDCT.
func decodeConfig(reduced: Bool = true, fastDCT: Bool = false) throws -> PipelineConfig {
    var c = Assembly.withModelInputSize(try defaultConfig())
    c.decode.reducedSize = reduced
    c.decode.fastDCT = fastDCT
    return c
}

/// djpeg's decode of a manifest JPEG at scale 1/denom: size, poly64 checksum of all its RGB8 bytes
/// and a few sampled pixels (x, y, r, g, b).
func djpegReference(_ file: String, denom: Int) throws -> (width: Int, height: Int, poly64: String, samples: [[Int]]) {
    let data = try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/fixtures/images/manifest.json"))
    let manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    let entry = (manifest["jpeg"] as? [[String: Any]] ?? []).first { $0["file"] as? String == file }
    let ref = (entry?["scales"] as? [String: [String: Any]])?["\(denom)"] ?? [:]
    return (ref["width"] as? Int ?? -1, ref["height"] as? Int ?? -1, ref["poly64"] as? String ?? "", ref["samples"] as? [[Int]] ?? [])
}

func sourceFrame(_ bytes: [UInt8], name: String = "f.jpg") -> SourceFrame {
    SourceFrame(info: FrameInfo(index: 0, source: name, captureTimeNs: 0), bytes: bytes)
}

@Suite struct ReducedDecodeTests {
    let oddFile = "jpeg/udacity_test3_1281x719_q60.jpg"
    var oddBytes: [UInt8] { get throws { Array(try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/fixtures/images/" + oddFile))) } }

    @Test func oddFrameDecodesAtHalfScaleAsDjpegAndKeepsItsSize() throws {
        let frame = sourceFrame(try oddBytes)
        let ref = try djpegReference(oddFile, denom: 2)
        #expect(ref.width == 641 && ref.height == 360 && ref.samples.count == 6)
        // Accurate IDCT: exactly libjpeg's own 1/2-scale decode (same library, tolerance 0).
        let d = try DecodeStage(config: try decodeConfig())(frame, frame.info)
        #expect(d.image.width == 641 && d.image.height == 360)
        #expect(d.frameWidth == 1281 && d.frameHeight == 719)
        #expect(d.fullImage == nil)
        for s in ref.samples { #expect(d.image.pixel(x: s[0], y: s[1]) == RGBColor(r: UInt8(s[2]), g: UInt8(s[3]), b: UInt8(s[4])), "at \(s[0]),\(s[1])") }
        #expect(poly64(d.image.pixels) == ref.poly64, "every pixel")
        // The fast integer IDCT (default.yaml): within 4 levels of it.
        let fast = try DecodeStage(config: try decodeConfig(fastDCT: true))(frame, frame.info)
        #expect(fast.image.width == 641 && fast.frameWidth == 1281 && fast.frameHeight == 719)
        var worst = 0
        for (a, b) in zip(fast.image.pixels, d.image.pixels) { worst = max(worst, abs(Int(a) - Int(b))) }
        #expect(worst <= 4)
        // Off: full size.
        let off = try DecodeStage(config: try decodeConfig(reduced: false))(frame, frame.info)
        #expect(off.image.width == 1281 && off.image.height == 719 && off.frameWidth == 1281 && off.fullImage == nil)
    }

    @Test func frameSizeReachesTheInputMapping() throws {
        let cfg = try decodeConfig()
        let frame = sourceFrame(try oddBytes)
        let d = try DecodeStage(config: cfg)(frame, frame.info)
        let input = try PreprocessStage(config: cfg)(d, frame.info)
        #expect(input.mapping.frameWidth == 1281 && input.mapping.frameHeight == 719)
        let (w, h) = (cfg.input.width, cfg.input.height)  // the card's input size
        #expect(input.mapping.scaleX == Float(w) / 1281 && input.mapping.scaleY == Float(h) / 719)
        // A box over the whole network input maps back to the whole frame.
        let box = input.mapping.toFrame(x1: 0, y1: 0, x2: Float(w), y2: Float(h))
        #expect(abs(box.x2 - 1281) < 1e-3 && abs(box.y2 - 719) < 1e-3)
        #expect(input.tensor.count == 3 * h * w)
    }

    @Test func overlaysGetTheFullResolutionFrame() throws {
        let cfg = try decodeConfig(fastDCT: true)
        let frame = sourceFrame(try oddBytes)
        let d = try DecodeStage(config: cfg, keepFullImage: true)(frame, frame.info)
        #expect(d.image.width == 641 && d.fullImage?.width == 1281 && d.fullImage?.height == 719)
        #expect(d.fullImage == (try decodeImage(try oddBytes, options: DecodeOptions(fastDCT: true))))
        // The network input is the same as without overlays.
        let plain = try DecodeStage(config: cfg)(frame, frame.info)
        #expect(plain.image == d.image)
        let withImage = try PreprocessStage(config: cfg, keepImage: true)(d, frame.info)
        #expect(withImage.image?.width == 1281)
        #expect(withImage.tensor == (try PreprocessStage(config: cfg)(plain, frame.info)).tensor)
    }

    @Test func pngIsDecodedAtFullSize() throws {
        var px = [UInt8](repeating: 0, count: 1281 * 719 * 3)
        for i in px.indices { px[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 7) }
        let image = try RGBImage(width: 1281, height: 719, pixels: px)
        let frame = sourceFrame(try encodePNG(image), name: "f.png")
        for keep in [false, true] {
            let d = try DecodeStage(config: try decodeConfig(fastDCT: true), keepFullImage: keep)(frame, frame.info)
            #expect(d.image == image && d.frameWidth == 1281 && d.frameHeight == 719 && d.fullImage == nil)
        }
    }

    /// Three frames of the bundled 1280x720 clip with and without `--overlay-dir`: the same stdout,
    /// and the overlays are full-size images.
    @Test func overlayRunDecidesTheSameAndWritesFullSizeFrames() throws {
        let dir = Scratch()
        let lines = try String(contentsOfFile: bundledLog + "/log.jsonl", encoding: .utf8).split(separator: "\n")
        var text = String(lines[0]) + "\n"
        for i in 0..<3 {
            let name = String(format: "frames/%06d.jpg", i)
            dir.write("log/" + name, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: bundledLog + "/" + name))))
            text += String(lines[i + 1]) + "\n"
        }
        dir.write("log/log.jsonl", text)
        let overlays = dir.path + "/overlay"
        try FileManager.default.createDirectory(atPath: overlays, withIntermediateDirectories: true)
        func run(_ options: AssemblyOptions) throws -> String {
            let path = dir.path + "/out-\(UUID().uuidString).ndjson"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            defer { close(fd) }
            let b = PipelineBuilder()
            let cfg = try defaultConfig()
            let sink = NDJSONSink<PlannedFrame>(writer: OutputWriter(fd: fd), decimals: cfg.output.floatDecimals)
            _ = try Assembly.wire(b, reader: try SourceLocator.open(dir.path + "/log"), config: cfg, options: options, sink: sink)
            _ = try b.build().run()
            return try String(contentsOfFile: path, encoding: .utf8)
        }
        let plain = try run(AssemblyOptions())
        let drawn = try run(AssemblyOptions(overlayDirectory: overlays))
        #expect(plain == drawn)
        #expect(try records(plain).count == 3)
        for i in 0..<3 {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: overlays + String(format: "/%06d.jpg", i))))
            let info = try readJPEGInfo(bytes)
            #expect(info.width == 1280 && info.height == 720)
        }
    }
}
