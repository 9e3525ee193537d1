// The GRU kernel computes the first all-zero row (zero inputs, zero initial state) once and copies
// it to the other zero rows (a fixed-batch model's padding). The rows that carry data must be
// bit-identical to a run without zero rows, every copied zero row bit-identical to the first one
// (at the GRU's output), and every zero row of the model's output equal a computed zero row.

import Foundation
import Testing
@testable import Inference

@Suite struct GRUZeroRowTests {
    let model = TestPaths.root.appendingPathComponent("fixtures/models/forecaster.onnx").path

    func states(_ s: InferenceSession, dataRows: Set<Int>, seed: UInt64) -> Tensor {
        let shape = s.inputs[0].shape   // [seq, batch, features]
        let (seq, batch, f) = (shape[0], shape[1], shape[2])
        let noise = seededRandom(seq * batch * f, seed: seed)
        var data = [Float](repeating: 0, count: seq * batch * f)
        for t in 0..<seq { for b in dataRows where b < batch { for k in 0..<f {
            let i = (t * batch + b) * f + k
            data[i] = noise[(t * batch + (b % 3)) * f + k]   // rows 0, 3, 6 ... share data: results must not depend on neighbours
        } } }
        return Tensor(shape: shape, data: data)
    }

    func row(_ t: Tensor, _ b: Int) -> [Float] {
        let per = t.data.count / t.shape[0]
        return Array(t.data[(b * per)..<((b + 1) * per)])
    }

    @Test func dataRowsBitIdenticalAndZeroRowsEqualAComputedOne() throws {
        let s = try InferenceSession(modelPath: model)
        let batch = s.inputs[0].shape[1]
        #expect(batch == 16)
        let name = s.inputs[0].name, out = s.outputs[0].name
        // 3 tracks padded with 13 zero rows, against the same 3 rows beside 13 more data rows.
        let padded = try s.run([name: states(s, dataRows: [0, 1, 2], seed: 5)])[out]!
        let full = try s.run([name: states(s, dataRows: Set(0..<batch), seed: 5)])[out]!
        for b in 0..<3 { #expect(row(padded, b).elementsEqual(row(full, b)) { $0.bitPattern == $1.bitPattern }, "row \(b)") }
        // A zero row computed (the first zero row: row 0 here) against the copied ones. The model's
        // Gemm after the GRU may round a row by its place in OpenBLAS's blocks (the Haswell and Zen
        // kernels on an AMD Zen 5 host do), so the whole model's rows are compared within 1e-6.
        let zeroFirst = try s.run([name: states(s, dataRows: Set(1..<batch), seed: 5)])[out]!
        let computed = row(zeroFirst, 0)
        for b in 3..<batch {
            #expect(maxAbsError(row(padded, b), computed).err <= 1e-6, "zero row \(b)")
        }
        // The copies themselves, at the GRU's output (final state Y_h [1, batch, hidden]): every
        // zero row bit-identical to the first one.
        let gru = try InferenceSession(modelPath: model, outputNames: ["/gru/GRU_output_1"])
        let state = try gru.run([name: states(gru, dataRows: [0, 1, 2], seed: 5)])["/gru/GRU_output_1"]!
        #expect(state.shape == [1, batch, state.data.count / batch])
        let hidden = state.data.count / batch
        func stateRow(_ b: Int) -> ArraySlice<Float> { state.data[(b * hidden)..<((b + 1) * hidden)] }
        for b in 4..<batch {
            #expect(stateRow(b).elementsEqual(stateRow(3)) { $0.bitPattern == $1.bitPattern }, "state row \(b)")
        }
        #expect(!stateRow(3).allSatisfy { $0 == 0 })   // a real computed row, not zeros
    }
}
