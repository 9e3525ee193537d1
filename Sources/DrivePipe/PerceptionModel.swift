// PerceptionModel: the multi-head network as the pipeline uses it: the ONNX file, its model card
// (tensor names of the backbone and each head, input size, decoding parameters), and one
// sub-graph session per stage (backbone: image → features; each head: features → outputs).
import Config
import Foundation
import Inference
import Perception

public enum PerceptionModelError: Error, CustomStringConvertible {
    case notConfigured(key: String)
    case card(path: String, reason: String)
    case session(stage: String, path: String, reason: String)
    case inputMismatch(expected: String, found: String)

    public var description: String {
        switch self {
        case .notConfigured(let k): return "models.\(k) is not set; expected an ONNX file or model card path"
        case .card(let p, let r): return "model card \(p): \(r)"
        case .session(let s, let p, let r): return "\(s) model \(p): \(r)"
        case .inputMismatch(let e, let f): return "pipeline input does not fit the model: expected \(e), found \(f)"
        }
    }
}

/// The model card and resolved file paths for the three perception stages.
public struct PerceptionModel: Sendable {
    public let card: ModelCard
    public let backbonePath: String
    public let detectionPath: String
    public let segmentationPath: String
    public let blasThreads: Int
    /// Each distinct model file read and parsed once (the stages' sessions share it), or why not.
    let loaded: [String: Result<LoadedModel, any Error>]

    public init(config cfg: PipelineConfig) throws(PerceptionModelError) {
        guard let cardPath = cfg.models.card.map(cfg.resolve) else { throw .notConfigured(key: "card") }
        do { card = try ModelCard.load(path: cardPath) } catch { throw .card(path: cardPath, reason: "\(error)") }
        // Each stage's file defaults to the card's ONNX file (beside the card).
        let cardFile = ((cardPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(card.onnx)
        backbonePath = cfg.models.backbone.map(cfg.resolve) ?? cardFile
        detectionPath = cfg.models.detectionHead.map(cfg.resolve) ?? cardFile
        segmentationPath = cfg.models.segmentationHead.map(cfg.resolve) ?? cardFile
        blasThreads = cfg.threads.blas
        guard card.input.width == cfg.input.width, card.input.height == cfg.input.height else {
            throw .inputMismatch(expected: "input \(card.input.width)x\(card.input.height) (model card)",
                                 found: "\(cfg.input.width)x\(cfg.input.height) (pipeline input)")
        }
        var files: [String: Result<LoadedModel, any Error>] = [:]
        for path in [backbonePath, detectionPath, segmentationPath] where files[path] == nil {
            files[path] = Result { try LoadedModel(path: path) }
        }
        loaded = files
    }

    /// The parsed model file at `path` (shared; parsed again if it failed at init, to report why).
    func loadedModel(_ path: String) throws -> LoadedModel { try loaded[path]?.get() ?? LoadedModel(path: path) }

    /// A session running `path` between the named tensors.
    func session(_ stage: String, _ path: String, inputs: [String], outputs: [String]) throws(PerceptionModelError) -> InferenceSession {
        do {
            let model = try loadedModel(path)
            return try InferenceSession(model: model, threads: blasThreads, inputNames: inputs, outputNames: outputs)
        }
        catch { throw .session(stage: stage, path: path, reason: "\(error)") }
    }
}
