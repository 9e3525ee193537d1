// PipelineConfig: the typed form of pipelines/*.yaml. Every field has its default here, in code;
// a YAML file overrides only what it names. See README.md, "Configuration".

/// Queue policy of one edge, named by the stage it feeds (`edges.<stage>`).
public struct EdgeConfig: Sendable, Equatable {
    public enum Policy: String, Sendable, Equatable, CaseIterable { case block, dropOldest, latestOnly }
    public var policy: Policy = .block
    /// Frames queued before the policy acts (1 for latestOnly).
    public var capacity: Int = 2
    /// block: the producer resumes once the depth is down to this (default capacity / 2).
    public var lowWatermark: Int? = nil
    /// A block edge without a low watermark gets capacity / 2; other policies have none.
    public init(policy: Policy = .block, capacity: Int = 2, lowWatermark: Int? = nil) {
        self.policy = policy; self.capacity = capacity
        self.lowWatermark = policy == .block ? (lowWatermark ?? capacity / 2) : nil
    }
}

public struct PipelineConfig: Sendable, Equatable {
    public var version = 1

    /// Model files (relative paths: against `baseDirectory`). The perception network's model card
    /// names the tensors between which each stage runs; the stage files default to the card's
    /// ONNX file (one file, three sub-graphs) and may name separate files instead.
    public struct Models: Sendable, Equatable {
        public var card: String? = "fixtures/models/drivepipe-student.json"
        public var backbone: String? = nil
        public var detectionHead: String? = nil
        public var segmentationHead: String? = nil
        /// GRU track forecaster (ONNX); nil = constant-velocity extrapolation.
        public var forecaster: String? = "fixtures/models/forecaster.onnx"
    }
    public var models = Models()

    /// The network input tensor.
    public struct Input: Sendable, Equatable {
        public enum Resize: String, Sendable, Equatable, CaseIterable { case stretch, letterbox }
        public enum ChannelOrder: String, Sendable, Equatable, CaseIterable { case rgb, bgr }
        /// Must match the model card's input. Not set in the file (`sizeFromModel`): the pipeline
        /// takes the card's, so a new model needs no config change.
        public var width = 384
        public var height = 224
        /// True when the file sets neither width nor height: they come from the model card.
        public var sizeFromModel = true
        public var resize: Resize = .stretch
        /// tensor = (pixel * scale - mean[c]) / std[c]
        public var scale = 1.0 / 255.0
        public var mean: [Double] = [0, 0, 0]
        public var std: [Double] = [1, 1, 1]
        public var order: ChannelOrder = .rgb
    }
    public var input = Input()

    public struct Decode: Sendable, Equatable {
        /// Frames claiming more pixels are rejected before allocation.
        public var maxPixels = 40_000_000
        /// JPEG: decode at 1/2, 1/4 or 1/8 size in the DCT domain when the input is that much smaller.
        public var reducedSize = true
        /// JPEG: libjpeg's fast integer IDCT (a few levels off the accurate one, cheaper).
        public var fastDCT = false
    }
    public var decode = Decode()

    public struct Detection: Sendable, Equatable {
        public enum Decoder: String, Sendable, Equatable, CaseIterable { case centernet, yolo }
        public var decoder: Decoder = .centernet
        public var scoreThreshold = 0.3
        public var nmsIouThreshold = 0.5
        public var maxDetections = 100
    }
    public var detection = Detection()

    public struct Segmentation: Sendable, Equatable {
        public enum Decoder: String, Sendable, Equatable, CaseIterable { case argmax }
        public var decoder: Decoder = .argmax
    }
    public var segmentation = Segmentation()

    /// Thread budget (the machine has few cores: everything counts, BLAS included).
    public struct Threads: Sendable, Equatable {
        /// OpenBLAS threads used by inference.
        public var blas = 1
        /// Worker threads of the decode stage (output order is kept).
        public var decode = 1
        /// Worker threads of the preprocess stage.
        public var preprocess = 1
        /// Workers of the backbone stage, each with its own inference session (frames in flight
        /// on different cores: more throughput for one session's memory each; order is kept).
        public var backbone = 1
        /// Workers of each head stage (detection, segmentation), like `backbone`.
        public var heads = 1
        /// Kernel scheduling of the stage threads: `batch` (a woken stage does not preempt the
        /// running one: fewer thread switches, for replays), `normal` (a woken stage runs at once:
        /// live streams), or `auto`: batch for an unpaced replay with `blas` 1, normal when pacing,
        /// following or with BLAS threads (the engine's pool wakes parked workers for each layer).
        public enum Scheduling: String, Sendable, Equatable, CaseIterable { case auto, normal, batch }
        public var scheduling: Scheduling = .auto
    }
    public var threads = Threads()

    /// The edges, by the stage each one feeds, in pipeline order.
    public static let edgeNames = ["decode", "preprocess", "backbone", "detection", "segmentation", "tracker", "planner", "sink"]
    public var edges: [String: EdgeConfig] = [
        "decode": EdgeConfig(capacity: 4), "preprocess": EdgeConfig(capacity: 2), "backbone": EdgeConfig(capacity: 2),
        "detection": EdgeConfig(capacity: 2), "segmentation": EdgeConfig(capacity: 2), "tracker": EdgeConfig(capacity: 2),
        "planner": EdgeConfig(capacity: 2), "sink": EdgeConfig(capacity: 16),
    ]

    /// The camera used when the source records none (frame folders): a calibration JSON
    /// (intrinsics, distortion, mounting height and pitch), scaled to each frame's size.
    public struct Camera: Sendable, Equatable {
        public var calibration: String? = "fixtures/calibration/udacity_1280x720.json"
    }
    public var camera = Camera()

    /// Decision and control parameters (SI units). Defaults match Planning.PlannerConfig.
    public struct Planner: Sendable, Equatable {
        public var wheelbaseM = 2.8
        /// Ego speed assumed when a frame carries no vehicle signals.
        public var defaultSpeedMps = 25.0
        public var targetSpeedMps = 27.0
        public var maxAccelMps2 = 2.0
        public var comfortDecelMps2 = 3.0
        public var maxDecelMps2 = 6.0
        public var timeGapS = 1.8
        public var minGapM = 4.0
        public var ttcThresholdS = 3.0
        public var lookaheadTimeS = 1.0
        public var maxSteeringRad = 0.5
        public var maxSteeringRateRadps = 0.25
        /// Perception health: degraded above these.
        public var maxDropRatio = 0.2
        public var maxFrameAgeS = 0.3
        /// Frames over which the drop ratio is measured.
        public var healthWindowFrames = 20
    }
    public var planner = Planner()

    /// Time budgets per stage (ms): a frame on which a stage takes longer counts as a timeout in
    /// the planner's health signal (it still goes on). Empty by default: a replay's decisions must
    /// not depend on machine load. Keys: the map stages (decode, preprocess, backbone, detection,
    /// segmentation).
    public static let budgetStages = ["decode", "preprocess", "backbone", "detection", "segmentation"]
    public var budgetsMs: [String: Double] = [:]

    public struct Output: Sendable, Equatable {
        /// Add `latency_ms` to every line (differs run to run: off for replays).
        public var timing = false
        public var floatDecimals = 6
    }
    public var output = Output()

    /// Folder relative model paths are resolved against (set by the loader; the package root for
    /// files in `pipelines/`).
    public var baseDirectory = "."

    public init() {}

    public func edge(_ name: String) -> EdgeConfig { edges[name] ?? EdgeConfig() }

    /// `path` as given if absolute, else under `baseDirectory`.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (baseDirectory == "." ? path : baseDirectory + "/" + path)
    }
}
