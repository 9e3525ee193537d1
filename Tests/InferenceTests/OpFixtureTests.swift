// Every single-op fixture (tools/onnx_fixtures/generate.py) against onnxruntime's output:
// max abs error < 1e-4 * max(1, max |reference|).

import Foundation
import Testing
@testable import Inference

@Suite struct OpFixtureTests {
    @Test(arguments: TestPaths.fixtureCases())
    func matchesOnnxruntime(_ name: String) throws {
        let fx = try loadFixture(name)
        let session = try InferenceSession(modelPath: fx.model)
        let result = try session.run(fx.inputs)
        #expect(!fx.outputs.isEmpty)
        for (oname, expected) in fx.outputs {
            let got = try #require(result[oname], "\(name): missing output \(oname)")
            #expect(got.shape == expected.shape, "\(name)/\(oname): shape \(got.shape) vs \(expected.shape)")
            let (err, scale) = maxAbsError(got.data, expected.data)
            #expect(err < 1e-4 * scale, "\(name)/\(oname): max abs error \(err) (scale \(scale))")
        }
    }

    @Test func fixturesArePresent() {
        #expect(TestPaths.fixtureCases().count > 50)
    }

    /// Two threads give bit-identical results to one.
    @Test(arguments: TestPaths.fixtureCases())
    func twoThreadsBitIdentical(_ name: String) throws {
        let fx = try loadFixture(name)
        let one = try InferenceSession(modelPath: fx.model, threads: 1).run(fx.inputs)
        let two = try InferenceSession(modelPath: fx.model, threads: 2).run(fx.inputs)
        for (k, v) in one {
            let (err, _) = maxAbsError(two[k]?.data ?? [], v.data)
            #expect(err == 0, "\(name)/\(k) differs between 1 and 2 threads by \(err)")
        }
    }

    /// The same fixtures through the naive reference convolution (the fast paths' twin).
    @Test(arguments: TestPaths.fixtureCases().filter { $0.hasPrefix("conv") || $0.hasPrefix("fuse") })
    func referenceConvMatches(_ name: String) throws {
        let fx = try loadFixture(name)
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fx.model)))
        let s = try InferenceSession(modelData: data, threads: 1, inputNames: nil, outputNames: nil, path: fx.model,
                                     convAlgorithm: .reference)
        let result = try s.run(fx.inputs)
        for (oname, expected) in fx.outputs {
            let (err, scale) = maxAbsError(result[oname]?.data ?? [], expected.data)
            #expect(err < 1e-4 * scale, "\(name)/\(oname) reference: \(err)")
        }
    }
}
