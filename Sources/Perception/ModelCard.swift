// ModelCard: the decoding-relevant part of a model card JSON (fixtures/models/<name>.json), so a
// pipeline can configure preprocessing, sub-graph stages and decoders from the card alone.

import Foundation
import Messages

public struct ModelCard: Sendable, Codable, Equatable {
    public struct Input: Sendable, Codable, Equatable {
        public var name: String
        public var width: Int
        public var height: Int
        /// "RGB"
        public var channel_order: String
        /// value = (pixel * scale - mean[c]) / std[c]
        public var scale: Float
        public var mean: [Float]
        public var std: [Float]
        /// "stretch" (whole frame resized, bilinear) or "letterbox"
        public var resize: String
    }
    public struct Stage: Sendable, Codable, Equatable {
        public var inputs: [String]
        public var outputs: [String]
    }
    public struct Detection: Sendable, Codable, Equatable {
        public var inputs: [String]
        public var outputs: [String]
        public var decoder: String
        public var heatmap: String
        public var box_size: String
        public var box_offset: String
        public var stride: Int
        public var classes: [ObjectClass]
        public var score_threshold: Float
        public var top_k: Int
    }
    public struct Segmentation: Sendable, Codable, Equatable {
        public var inputs: [String]
        public var outputs: [String]
        public var decoder: String
        public var logits: String
        public var classes: [String]
    }
    public struct Heads: Sendable, Codable, Equatable {
        public var detection: Detection
        public var segmentation: Segmentation
    }

    public var name: String
    public var onnx: String
    public var input: Input
    public var backbone: Stage
    public var heads: Heads

    public static func load(path: String) throws -> ModelCard {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PerceptionError.badSidecar(path: path, reason: "cannot read file")
        }
        do { return try JSONDecoder().decode(ModelCard.self, from: data) } catch {
            throw PerceptionError.badSidecar(path: path, reason: "\(error)")
        }
    }

    public var centerNetConfig: CenterNetConfig {
        CenterNetConfig(stride: heads.detection.stride, classes: heads.detection.classes,
                        scoreThreshold: heads.detection.score_threshold, topK: heads.detection.top_k)
    }
}
