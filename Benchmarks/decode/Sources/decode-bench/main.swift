// decode-bench: times ImageIO's JPEG/PNG decode of one file in-process, the way tjbench times
// libjpeg-turbo (warm up, then decode repeatedly for a fixed time; mean = elapsed / iterations).
// Usage: decode-bench FILE [--scale 1|2|4|8] [--seconds S] [--warmup S] [--reuse] [--op OP --size WxH]
//   --scale d  : request 1/d of the full size (DCT-domain reduction for JPEG)
//   --reuse    : decode into one reused image (decodeImage(_:options:into:)) instead of a new one per call
//   --op       : what to time on the decoded image instead of decoding: bilinear | area | letterbox |
//                tensor (toNCHW of the image resized to --size) ; --size WxH is the target size
// Prints one line: "decode-bench file=… scale=1/d size=WxH iterations=N mean_ms=… cpu_ms=… fps=…" on
// stdout; mean_ms is wall time per decode, cpu_ms process CPU time per decode (steadier on a busy host).

import Foundation
import ImageIO

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

/// The whole benchmark, in one function so its state is local (not main-actor globals).
func benchmark() throws {
    var args = Array(CommandLine.arguments.dropFirst())
    guard let path = args.first, !path.hasPrefix("--") else {
        fail("usage: decode-bench FILE [--scale 1|2|4|8] [--seconds S] [--warmup S] [--reuse]")
    }
    args.removeFirst()
    var scale = 1, seconds = 5.0, warmup = 1.0, reuse = false
    var op = "decode", targetW = 640, targetH = 360
    while let flag = args.first {
        args.removeFirst()
        switch flag {
        case "--scale": scale = Int(args.first ?? "") ?? 0; args = Array(args.dropFirst())
        case "--seconds": seconds = Double(args.first ?? "") ?? -1; args = Array(args.dropFirst())
        case "--warmup": warmup = Double(args.first ?? "") ?? -1; args = Array(args.dropFirst())
        case "--reuse": reuse = true
        case "--op": op = args.first ?? ""; args = Array(args.dropFirst())
        case "--size":
            let parts = (args.first ?? "").split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2 else { fail("--size wants WxH") }
            (targetW, targetH) = (parts[0], parts[1])
            args = Array(args.dropFirst())
        default: fail("unknown option \(flag)")
        }
    }
    guard [1, 2, 4, 8].contains(scale), seconds > 0, warmup >= 0 else { fail("bad --scale/--seconds/--warmup") }
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
    let bytes = [UInt8](data)

    var options = DecodeOptions()
    do {
        let full = try decodeImage(bytes)
        if scale > 1 {
            options.targetWidth = (full.width + scale - 1) / scale
            options.targetHeight = (full.height + scale - 1) / scale
        }
    } catch {
        fail("\(path): \(error)")
    }

    var image = try RGBImage(width: 1, height: 1)
    let source = try decodeImage(bytes, options: options)
    let small = try resize(source, width: targetW, height: targetH)
    var sink = 0
    func once() {
        do {
            if op != "decode" {
                switch op {
                case "bilinear": sink &+= Int(try resize(source, width: targetW, height: targetH, method: .bilinear).pixels[0])
                case "area": sink &+= Int(try resize(source, width: targetW, height: targetH, method: .area).pixels[0])
                case "letterbox": sink &+= Int(try letterbox(source, width: targetW, height: targetH).image.pixels[0])
                case "tensor": sink &+= Int(try toNCHW(small)[0])
                default: fail("unknown --op \(op)")
                }
                image = source
            } else if reuse {
                try decodeImage(bytes, options: options, into: &image)
            } else {
                image = try decodeImage(bytes, options: options)
            }
        } catch {
            fail("\(path): \(error)")
        }
    }

    let clock = ContinuousClock()
    func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
    func run(for duration: Double) -> (iterations: Int, elapsed: Double) {
        var n = 0
        let start = clock.now
        var elapsed = 0.0
        repeat {
            once()
            n += 1
            let d = clock.now - start
            elapsed = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        } while elapsed < duration
        return (n, elapsed)
    }

    if warmup > 0 { _ = run(for: warmup) }
    let cpu0 = cpuSeconds()
    let (n, elapsed) = run(for: seconds)
    let cpu = (cpuSeconds() - cpu0) / Double(n) * 1000
    let mean = elapsed / Double(n) * 1000
    if sink == -1 { print("") }  // keeps the timed results alive
    let what = op == "decode" ? "" : " op=\(op) to=\(targetW)x\(targetH)"
    print("decode-bench\(what) file=\(path) scale=1/\(scale) size=\(image.width)x\(image.height) reuse=\(reuse) iterations=\(n) mean_ms=\(String(format: "%.3f", mean)) cpu_ms=\(String(format: "%.3f", cpu)) fps=\(String(format: "%.2f", 1000 / mean))")
}

do {
    try benchmark()
} catch {
    fail("\(error)")
}
