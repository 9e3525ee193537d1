// Inputs the fuzzer (tools/fuzz.sh) once crashed the loader with: each must now load or throw.
import Foundation
import Inference
import Testing

@Suite struct FuzzRegressionTests {
    @Test func savedCrashersLoadOrThrowTypedErrors() throws {
        let dir = TestPaths.root.appendingPathComponent("fixtures/fuzz/onnx").path
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(!files.isEmpty)
        for f in files {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + f)))
            do { _ = try InferenceSession(modelData: bytes) } catch {
                #expect(!"\(error)".isEmpty, "\(f)")
            }
        }
    }
}
