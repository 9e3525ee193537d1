// drivepipe-fuzz: libFuzzer entry for DrivePipe's input parsers. One binary, the target chosen by
// DRIVEPIPE_FUZZ_TARGET (image | config | drivelog | onnx). Any thrown, typed error is fine; a
// crash, hang or sanitizer report is a bug.
//
// tools/fuzz.sh builds it with `-sanitize=fuzzer,address -DFUZZING` and main hands over to
// libFuzzer's driver; a plain build replays the files given as arguments (a saved corpus).
import Foundation

/// The target, chosen once from the environment.
let fuzzTarget: FuzzTarget? = {
    let name = ProcessInfo.processInfo.environment["DRIVEPIPE_FUZZ_TARGET"] ?? ""
    return FuzzTarget(rawValue: name)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let target = fuzzTarget else {
        FileHandle.standardError.write(Data("set DRIVEPIPE_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue))\n".utf8))
        abort()
    }
    target.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if FUZZING
/// libFuzzer's driver, called from our own main (SwiftPM supplies `main` for executables).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32
#endif

@main struct FuzzMain {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
        #else
        // Replay: run each file given as an argument once.
        for path in CommandLine.arguments.dropFirst() {
            guard let d = FileManager.default.contents(atPath: path) else { continue }
            [UInt8](d).withUnsafeBufferPointer { b in
                let p = b.baseAddress ?? UnsafePointer(bitPattern: 1)!
                _ = fuzzOne(p, b.count)
            }
        }
        #endif
    }
}
