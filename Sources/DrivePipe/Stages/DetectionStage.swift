// Detection head stage: features → boxes. Runs the detection-head sub-graph, then the CenterNet
// decoder (heatmap peaks, box size and offset) into frame pixels.
import Inference
import Messages
import Perception

public final class DetectionStage {
    let session: InferenceSession
    let decoder: CenterNetDecoder
    let spec: ModelCard.Detection

    public init(model: PerceptionModel, scoreThreshold: Float?, maxDetections: Int?) throws {
        spec = model.card.heads.detection
        session = try model.session("detection", model.detectionPath, inputs: spec.inputs,
                                    outputs: [spec.heatmap, spec.box_size, spec.box_offset])
        var c = model.card.centerNetConfig
        if let s = scoreThreshold { c.scoreThreshold = s }
        if let k = maxDetections { c.topK = k }
        decoder = try CenterNetDecoder(config: c)
    }

    public func callAsFunction(_ f: Features, _ info: FrameInfo) throws -> [Detection] {
        try withInputs(f.tensors, names: spec.inputs) { inputs in
            try session.run(reading: inputs) { out in
                let hm = session.outputs.first { $0.name == spec.heatmap }!.shape
                return try decoder.decode(heatmap: out[spec.heatmap]!, size: out[spec.box_size]!, offset: out[spec.box_offset]!,
                                          height: hm[2], width: hm[3], mapping: f.mapping)
            }
        }
    }
}

/// Borrow `tensors[names]` as buffers for one call (a head reads one or a few feature maps; the
/// session reads them in place).
func withInputs<R>(_ tensors: [String: Tensor], names: [String],
                   _ body: ([String: UnsafeBufferPointer<Float>]) throws -> R) throws -> R {
    func go(_ i: Int, _ acc: [String: UnsafeBufferPointer<Float>]) throws -> R {
        if i == names.count { return try body(acc) }
        guard let t = tensors[names[i]] else { throw InferenceError.missingInput(name: names[i]) }
        return try t.data.withUnsafeBufferPointer { b in
            var next = acc
            next[names[i]] = b
            return try go(i + 1, next)
        }
    }
    return try go(0, [:])
}
