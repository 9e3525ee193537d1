// Assembly: the daemon's stage graph, wired from the pipeline config. This is the one place to
// swap stages: replace a stand-in `map` with the real stage (same slot, same edge key) and adjust
// the types that flow on. Edge policies come from `edges.<slot>` in the config.
//
//   source ─▶ decode ─▶ preprocess ─▶ backbone ─┬─▶ detection ────┐
//                                                └─▶ segmentation ─┴─▶ tracker ─▶ planner ─▶ sink
import Config
import Messages
import Pipeline
import Sources

extension EdgeConfig {
    /// The runtime policy of this configured edge.
    public var runtimePolicy: EdgePolicy {
        switch policy {
        case .block: return .block(capacity: capacity, lowWatermark: min(lowWatermark ?? capacity / 2, capacity - 1))
        case .dropOldest: return .dropOldest(capacity)
        case .latestOnly: return .latestOnly
        }
    }
}

public enum Assembly {
    /// Wire the daemon's stages between `reader` and `sink` into `builder`.
    public static func wire<S: PipelineSink>(_ b: PipelineBuilder, reader: any FrameReader, config cfg: PipelineConfig,
                                              sink: S) where S.Input == NoPlannerDecision {
        func edge(_ slot: String) -> EdgePolicy { cfg.edge(slot).runtimePolicy }

        let frames = b.source("source", ReaderSource(reader))
        let images = b.map("decode", frames, edge: edge("decode"), workers: cfg.threads.decode) { DecodeStage(config: cfg).callAsFunction }
        let inputs = b.map("preprocess", images, edge: edge("preprocess"), workers: cfg.threads.preprocess) { PreprocessStage(config: cfg).callAsFunction }
        // Stand-ins until the model, tracker and planner stages land (see Stages/StandInStages.swift).
        let features = b.map("image_grid", inputs, edge: edge("backbone"), ImageGridStage().callAsFunction)
        let means = b.map("channel_means", features, edge: edge("detection"), ChannelMeansStage().callAsFunction)
        let contrast = b.map("lower_contrast", features, edge: edge("segmentation"), LowerContrastStage().callAsFunction)
        let stats = b.join("image_stats", means, contrast, edges: (edge("tracker"), edge("tracker"))) { m, c, _ in
            ImageStats(meanPerChannel: m, lowerHalfLumaStd: c)
        }
        let decisions = b.map("no_planner", stats, edge: edge("planner"), NoPlannerStage().callAsFunction)
        b.sink("sink", decisions, edge: edge("sink"), sink)
    }
}
