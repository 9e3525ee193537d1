// Assembly: the daemon's stage graph, wired from the pipeline config. Edge policies come from
// `edges.<slot>` in the config; each CPU-heavy stage runs on its own thread.
//
//   source ─▶ decode ─▶ preprocess ─▶ backbone ─┬─▶ detection ────┐
//                                                └─▶ segmentation ─┴─▶ tracker ─▶ planner [─▶ overlay] ─▶ sink
import Config
import Foundation
import Geometry
import Messages
import Perception
import Pipeline
import Planning
import Sources
import Tracking

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

public enum AssemblyError: Error, CustomStringConvertible {
    case model(PerceptionModelError)
    case stage(name: String, reason: String)
    case noCamera(reason: String)

    public var description: String {
        switch self {
        case .model(let e): return "\(e)"
        case .stage(let n, let r): return "\(n) stage: \(r)"
        case .noCamera(let r): return "no camera model: \(r); expected a drive log with camera metadata or camera.calibration in the pipeline"
        }
    }
}

/// Run-time choices that are not part of the pipeline file.
public struct AssemblyOptions: Sendable {
    /// Write annotated frames here (nil: no overlay stage).
    public var overlayDirectory: String?
    /// Judge frame age by the wall clock (live camera folders).
    public var liveHealth = false
    public init(overlayDirectory: String? = nil, liveHealth: Bool = false) {
        self.overlayDirectory = overlayDirectory; self.liveHealth = liveHealth
    }
}

/// The stateful stages, kept for the end-of-run report.
public struct AssembledStages {
    public let tracking: TrackingStage
    public let planning: PlanningStage
}

public enum Assembly {
    /// Wire the daemon's stages between `reader` and `sink` into `b`.
    public static func wire<S: PipelineSink>(_ b: PipelineBuilder, reader: any FrameReader, config: PipelineConfig,
                                              options: AssemblyOptions = AssemblyOptions(), sink: S) throws(AssemblyError) -> AssembledStages
        where S.Input == PlannedFrame {
        let cfg = withModelInputSize(config)
        func edge(_ slot: String) -> EdgePolicy { cfg.edge(slot).runtimePolicy }
        let model: PerceptionModel
        do { model = try PerceptionModel(config: cfg) } catch { throw .model(error) }
        let camera = try groundCamera(reader: reader, config: cfg)
        let keepImage = options.overlayDirectory != nil

        // Build every model stage here, before anything runs: a bad model fails the start, not a frame.
        // One session per worker: `threads.backbone` / `threads.heads` frames in flight at once.
        // The sessions (and the forecaster) load and compile independently: built on all cores at once.
        let nb = cfg.threads.backbone, nh = cfg.threads.heads
        let built = ParallelBuild(count: nb + 2 * nh + 1)
        DispatchQueue.concurrentPerform(iterations: nb + 2 * nh + 1) { i in
            built.set(i, Result { () throws -> Built in
                if i < nb { return .backbone(try BackboneStage(model: model, keepImage: keepImage)) }
                if i < nb + nh {
                    return .detection(try DetectionStage(model: model, scoreThreshold: Float(cfg.detection.scoreThreshold),
                                                         maxDetections: cfg.detection.maxDetections))
                }
                if i < nb + 2 * nh { return .segmentation(try SegmentationStage(model: model)) }
                return .forecaster(try makeForecaster(config: cfg))
            })
        }
        var backbones: [BackboneStage] = [], detections: [DetectionStage] = [], segmentations: [SegmentationStage] = []
        var forecaster: any TrackForecaster = ConstantVelocityForecaster()
        for r in built.results {   // in index order: the first failure is reported
            switch r {
            case .success(.backbone(let s)): backbones.append(s)
            case .success(.detection(let s)): detections.append(s)
            case .success(.segmentation(let s)): segmentations.append(s)
            case .success(.forecaster(let f)): forecaster = f
            case .failure(let e as AssemblyError): throw e
            case .failure(let e): throw .stage(name: "perception", reason: "\(e)")
            case nil: throw .stage(name: "perception", reason: "a stage was not built")
            }
        }
        let tracking = TrackingStage(camera: camera, forecaster: forecaster)
        let planning = PlanningStage(config: plannerConfig(cfg.planner), camera: camera, liveAge: options.liveHealth)
        func budget(_ stage: String) -> Double? { cfg.budgetsMs[stage] }

        let frames = b.source("source", ReaderSource(reader))
        let images = b.map("decode", frames, edge: edge("decode"), workers: cfg.threads.decode,
                           budgetMs: budget("decode")) { DecodeStage(config: cfg, keepFullImage: keepImage).callAsFunction }
        let inputs = b.map("preprocess", images, edge: edge("preprocess"), workers: cfg.threads.preprocess,
                           budgetMs: budget("preprocess")) {
            PreprocessStage(config: cfg, keepImage: keepImage).callAsFunction
        }
        let features = b.map("backbone", inputs, edge: edge("backbone"), workers: backbones.count,
                             budgetMs: budget("backbone")) {
            let stage = backbones.removeLast()
            return { input, info in
                defer { IdleBLASPool.stopAfterFirstRun() }
                return try stage(input, info)
            }
        }
        let boxes = b.map("detection", features, edge: edge("detection"), workers: detections.count,
                          budgetMs: budget("detection")) { detections.removeLast().callAsFunction }
        let masks = b.map("segmentation", features, edge: edge("segmentation"), workers: segmentations.count,
                          budgetMs: budget("segmentation")) { segmentations.removeLast().callAsFunction }
        let perceived = b.join("tracker", boxes, masks, edges: (edge("tracker"), edge("tracker")), tracking.callAsFunction)
        var planned = b.mapWithContext("planner", perceived, edge: edge("planner"), windowSize: cfg.planner.healthWindowFrames) {
            planning.callAsFunction
        }
        if let dir = options.overlayDirectory {
            planned = b.map("overlay", planned, edge: .block(capacity: 2, lowWatermark: 1),
                            OverlayStage(directory: dir, camera: camera).callAsFunction)
        }
        b.sink("sink", planned, edge: edge("sink"), sink)
        return AssembledStages(tracking: tracking, planning: planning)
    }

    /// The config with the model card's input size when the file left it out (an unreadable card
    /// is reported by PerceptionModel).
    static func withModelInputSize(_ config: PipelineConfig) -> PipelineConfig {
        guard config.input.sizeFromModel, let path = config.models.card.map(config.resolve),
              let card = try? ModelCard.load(path: path) else { return config }
        var c = config
        c.input.width = card.input.width
        c.input.height = card.input.height
        return c
    }

    /// One stage object built at start-up.
    enum Built {
        case backbone(BackboneStage), detection(DetectionStage), segmentation(SegmentationStage)
        case forecaster(any TrackForecaster)
    }

    /// Results of the stage constructors run by concurrentPerform, one slot per index.
    final class ParallelBuild: @unchecked Sendable {
        // Invariant: `results` is touched only with `lock` held, and read after concurrentPerform returned.
        private let lock = NSLock()
        private var slots: [Result<Built, any Error>?]
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ r: Result<Built, any Error>) { lock.lock(); slots[i] = r; lock.unlock() }
        var results: [Result<Built, any Error>?] { lock.lock(); defer { lock.unlock() }; return slots }
    }

    /// The source's camera, else the configured calibration file; mounted as recorded.
    static func groundCamera(reader: any FrameReader, config cfg: PipelineConfig) throws(AssemblyError) -> GroundCamera {
        if let m = reader.camera { return GroundCamera(metadata: m) }
        guard let path = cfg.camera.calibration.map(cfg.resolve) else { throw .noCamera(reason: "the source records none") }
        do { return GroundCamera(metadata: try CalibrationFile.load(URL(fileURLWithPath: path))) }
        catch { throw .noCamera(reason: "\(path): \(error)") }
    }

    /// The GRU forecaster when `models.forecaster` names one, else constant velocity.
    static func makeForecaster(config cfg: PipelineConfig) throws(AssemblyError) -> any TrackForecaster {
        guard let path = cfg.models.forecaster.map(cfg.resolve) else { return ConstantVelocityForecaster() }
        do { return try Forecaster(modelPath: path, threads: cfg.threads.blas) }
        catch { throw .stage(name: "forecaster", reason: "\(error)") }
    }

    /// The pipeline file's planner section onto the planner's own parameters.
    static func plannerConfig(_ p: PipelineConfig.Planner) -> PlannerConfig {
        var c = PlannerConfig()
        c.wheelbaseM = p.wheelbaseM
        c.defaultEgoSpeedMps = p.defaultSpeedMps
        c.cruiseSpeedMps = p.targetSpeedMps
        c.maxAccelMps2 = p.maxAccelMps2
        c.comfortDecelMps2 = p.comfortDecelMps2
        c.maxDecelMps2 = p.maxDecelMps2
        c.timeGapS = p.timeGapS
        c.standstillGapM = p.minGapM
        c.ttcBrakeS = p.ttcThresholdS
        c.lookAheadTimeS = p.lookaheadTimeS
        c.maxSteeringAngleRad = p.maxSteeringRad
        c.maxSteeringRateRadps = p.maxSteeringRateRadps
        c.maxDropRatio = p.maxDropRatio
        c.maxFrameAgeS = p.maxFrameAgeS
        return c
    }
}
