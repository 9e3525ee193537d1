// ConfigLoader: YAML text → PipelineConfig. Walks the YAML node tree by hand so that every unknown
// key and bad value is reported with its full key path; defaults come from PipelineConfig().
import Foundation
import Yams

public enum ConfigLoader {
    /// Load a pipeline file; relative model paths resolve against the package root when the file
    /// sits in a `pipelines/` folder, else against the file's folder.
    public static func load(path: String) throws(ConfigError) -> PipelineConfig {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        let dir = (path as NSString).deletingLastPathComponent
        let base = (dir as NSString).lastPathComponent == "pipelines" ? (dir as NSString).deletingLastPathComponent : dir
        var cfg = try parse(yaml: text)
        cfg.baseDirectory = base.isEmpty ? "." : base
        return cfg
    }

    public static func parse(yaml text: String) throws(ConfigError) -> PipelineConfig {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw .yaml(message: String(describing: error).split(separator: "\n").first.map(String.init) ?? "parse error")
        }
        var cfg = PipelineConfig()
        guard let root else { return cfg }   // empty file: all defaults
        let top = try Fields(root, path: "")
        if let v = try top.int("version") {
            guard v == 1 else { throw .badValue(path: "version", expected: "1", found: "\(v)") }
            cfg.version = v
        }
        if let m = try top.section("models") {
            cfg.models.card = try m.string("card") ?? cfg.models.card
            cfg.models.backbone = try m.string("backbone") ?? cfg.models.backbone
            cfg.models.detectionHead = try m.string("detection_head") ?? cfg.models.detectionHead
            cfg.models.segmentationHead = try m.string("segmentation_head") ?? cfg.models.segmentationHead
            cfg.models.forecaster = try m.string("forecaster") ?? cfg.models.forecaster
            try m.finish()
        }
        if let s = try top.section("input") {
            if let w = try s.int("width", in: 8...8192) { cfg.input.width = w; cfg.input.sizeFromModel = false }
            if let h = try s.int("height", in: 8...8192) { cfg.input.height = h; cfg.input.sizeFromModel = false }
            cfg.input.resize = try s.choice("resize", PipelineConfig.Input.Resize.self) ?? cfg.input.resize
            if let n = try s.section("normalization") {
                cfg.input.scale = try n.double("scale", positive: true) ?? cfg.input.scale
                cfg.input.mean = try n.doubles("mean", count: 3) ?? cfg.input.mean
                cfg.input.std = try n.doubles("std", count: 3, nonZero: true) ?? cfg.input.std
                cfg.input.order = try n.choice("order", PipelineConfig.Input.ChannelOrder.self) ?? cfg.input.order
                try n.finish()
            }
            try s.finish()
        }
        if let s = try top.section("decode") {
            cfg.decode.maxPixels = try s.int("max_pixels", in: 1...1_000_000_000) ?? cfg.decode.maxPixels
            cfg.decode.reducedSize = try s.bool("reduced_size") ?? cfg.decode.reducedSize
            cfg.decode.fastDCT = try s.bool("fast_dct") ?? cfg.decode.fastDCT
            try s.finish()
        }
        if let s = try top.section("detection") {
            cfg.detection.decoder = try s.choice("decoder", PipelineConfig.Detection.Decoder.self) ?? cfg.detection.decoder
            cfg.detection.scoreThreshold = try s.double("score_threshold", in: 0...1) ?? cfg.detection.scoreThreshold
            cfg.detection.nmsIouThreshold = try s.double("nms_iou_threshold", in: 0...1) ?? cfg.detection.nmsIouThreshold
            cfg.detection.maxDetections = try s.int("max_detections", in: 1...10_000) ?? cfg.detection.maxDetections
            try s.finish()
        }
        if let s = try top.section("segmentation") {
            cfg.segmentation.decoder = try s.choice("decoder", PipelineConfig.Segmentation.Decoder.self) ?? cfg.segmentation.decoder
            try s.finish()
        }
        if let s = try top.section("threads") {
            cfg.threads.blas = try s.int("blas", in: 1...64) ?? cfg.threads.blas
            cfg.threads.decode = try s.int("decode", in: 1...64) ?? cfg.threads.decode
            cfg.threads.preprocess = try s.int("preprocess", in: 1...64) ?? cfg.threads.preprocess
            cfg.threads.backbone = try s.int("backbone", in: 1...16) ?? cfg.threads.backbone
            cfg.threads.heads = try s.int("heads", in: 1...16) ?? cfg.threads.heads
            cfg.threads.scheduling = try s.choice("scheduling", PipelineConfig.Threads.Scheduling.self) ?? cfg.threads.scheduling
            try s.finish()
        }
        if let s = try top.section("edges") {
            for name in PipelineConfig.edgeNames {
                guard let e = try s.section(name) else { continue }
                cfg.edges[name] = try edge(e, defaults: cfg.edge(name))
            }
            try s.finish()
        }
        if let s = try top.section("budgets_ms") {
            for name in PipelineConfig.budgetStages {
                if let v = try s.double(name, positive: true) { cfg.budgetsMs[name] = v }
            }
            try s.finish()
        }
        if let s = try top.section("camera") {
            cfg.camera.calibration = try s.string("calibration") ?? cfg.camera.calibration
            try s.finish()
        }
        if let s = try top.section("planner") {
            var p = cfg.planner
            p.wheelbaseM = try s.double("wheelbase_m", positive: true) ?? p.wheelbaseM
            p.defaultSpeedMps = try s.double("default_speed_mps", in: 0...70) ?? p.defaultSpeedMps
            p.targetSpeedMps = try s.double("target_speed_mps", in: 0...70) ?? p.targetSpeedMps
            p.maxAccelMps2 = try s.double("max_accel_mps2", positive: true) ?? p.maxAccelMps2
            p.comfortDecelMps2 = try s.double("comfort_decel_mps2", positive: true) ?? p.comfortDecelMps2
            p.maxDecelMps2 = try s.double("max_decel_mps2", positive: true) ?? p.maxDecelMps2
            p.timeGapS = try s.double("time_gap_s", positive: true) ?? p.timeGapS
            p.minGapM = try s.double("min_gap_m", in: 0...200) ?? p.minGapM
            p.ttcThresholdS = try s.double("ttc_threshold_s", positive: true) ?? p.ttcThresholdS
            p.lookaheadTimeS = try s.double("lookahead_time_s", positive: true) ?? p.lookaheadTimeS
            p.maxSteeringRad = try s.double("max_steering_rad", in: 0...1.5) ?? p.maxSteeringRad
            p.maxSteeringRateRadps = try s.double("max_steering_rate_radps", positive: true) ?? p.maxSteeringRateRadps
            p.maxDropRatio = try s.double("max_drop_ratio", in: 0...1) ?? p.maxDropRatio
            p.maxFrameAgeS = try s.double("max_frame_age_s", positive: true) ?? p.maxFrameAgeS
            p.healthWindowFrames = try s.int("health_window_frames", in: 1...10_000) ?? p.healthWindowFrames
            cfg.planner = p
            try s.finish()
        }
        if let s = try top.section("output") {
            cfg.output.timing = try s.bool("timing") ?? cfg.output.timing
            cfg.output.floatDecimals = try s.int("float_decimals", in: 0...12) ?? cfg.output.floatDecimals
            try s.finish()
        }
        try top.finish()
        return cfg
    }

    static func edge(_ e: Fields, defaults: EdgeConfig) throws(ConfigError) -> EdgeConfig {
        var out = defaults
        if let p = try e.scalarString("policy") {
            switch p {
            case "block": out.policy = .block
            case "dropOldest", "drop_oldest": out.policy = .dropOldest
            case "latestOnly", "latest_only": out.policy = .latestOnly
            default: throw .badValue(path: e.path + "policy", expected: "block, dropOldest or latestOnly", found: "\"\(p)\"")
            }
        }
        let cap = try e.int("capacity", in: 1...100_000)
        let low = try e.int("low_watermark", in: 0...100_000)
        switch out.policy {
        case .latestOnly:
            if let cap, cap != 1 { throw .badValue(path: e.path + "capacity", expected: "1 (or nothing) for latestOnly", found: "\(cap)") }
            if low != nil { throw .badValue(path: e.path + "low_watermark", expected: "nothing: only block edges have one", found: "\(low!)") }
            out.capacity = 1; out.lowWatermark = nil
        case .dropOldest:
            if low != nil { throw .badValue(path: e.path + "low_watermark", expected: "nothing: only block edges have one", found: "\(low!)") }
            out.capacity = cap ?? out.capacity; out.lowWatermark = nil
        case .block:
            out.capacity = cap ?? out.capacity
            out.lowWatermark = low ?? (cap == nil ? out.lowWatermark ?? out.capacity / 2 : out.capacity / 2)
            if let l = out.lowWatermark, l >= out.capacity {
                throw .badValue(path: e.path + "low_watermark", expected: "less than capacity \(out.capacity)", found: "\(l)")
            }
        }
        try e.finish()
        return out
    }
}

/// One YAML mapping being read: typed getters that name the key path in errors, and `finish()`
/// that rejects keys nobody asked for.
final class Fields {
    let path: String
    private let pairs: [(key: String, value: Node)]
    private var used: Set<String> = []

    init(_ node: Node, path: String) throws(ConfigError) {
        self.path = path
        guard let mapping = node.mapping else {
            throw .badValue(path: path.isEmpty ? "(top level)" : String(path.dropLast()), expected: "a mapping of keys", found: Fields.describe(node))
        }
        var pairs: [(String, Node)] = []
        for (k, v) in mapping {
            guard let key = k.scalar?.string else {
                throw .badValue(path: path + "?", expected: "string keys", found: Fields.describe(k))
            }
            if pairs.contains(where: { $0.0 == key }) {
                throw .badValue(path: path + key, expected: "each key once", found: "a duplicate")
            }
            pairs.append((key, v))
        }
        self.pairs = pairs
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return "\"\(s.string.prefix(40))\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    private func node(_ key: String) -> Node? {
        used.insert(key)
        return pairs.first(where: { $0.key == key })?.value
    }

    /// A scalar, or nil when absent or `null`/`~`.
    func scalarString(_ key: String) throws(ConfigError) -> String? {
        guard let n = node(key) else { return nil }
        guard let s = n.scalar else { throw .badValue(path: path + key, expected: "a single value", found: Fields.describe(n)) }
        if s.style == .plain, ["null", "~", ""].contains(s.string) { return nil }
        return s.string
    }

    func section(_ key: String) throws(ConfigError) -> Fields? {
        guard let n = node(key) else { return nil }
        if let s = n.scalar, s.style == .plain, ["null", "~", ""].contains(s.string) { return nil }
        return try Fields(n, path: path + key + ".")
    }

    func string(_ key: String) throws(ConfigError) -> String? { try scalarString(key) }

    func int(_ key: String, in range: ClosedRange<Int>? = nil) throws(ConfigError) -> Int? {
        guard let s = try scalarString(key) else { return nil }
        guard let v = Int(s.replacingOccurrences(of: "_", with: "")) else {
            throw .badValue(path: path + key, expected: "an integer", found: "\"\(s)\"")
        }
        if let range, !range.contains(v) {
            throw .badValue(path: path + key, expected: "an integer in \(range.lowerBound)...\(range.upperBound)", found: "\(v)")
        }
        return v
    }

    func double(_ key: String, in range: ClosedRange<Double>? = nil, positive: Bool = false) throws(ConfigError) -> Double? {
        guard let s = try scalarString(key) else { return nil }
        guard let v = Double(s), v.isFinite else { throw .badValue(path: path + key, expected: "a number", found: "\"\(s)\"") }
        if positive, !(v > 0) { throw .badValue(path: path + key, expected: "a positive number", found: s) }
        if let range, !range.contains(v) {
            throw .badValue(path: path + key, expected: "a number in \(range.lowerBound)...\(range.upperBound)", found: s)
        }
        return v
    }

    func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let s = try scalarString(key) else { return nil }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw .badValue(path: path + key, expected: "true or false", found: "\"\(s)\"")
        }
    }

    func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws(ConfigError) -> E? where E.RawValue == String {
        guard let s = try scalarString(key) else { return nil }
        guard let v = E(rawValue: s) else {
            throw .badValue(path: path + key, expected: "one of " + E.allCases.map(\.rawValue).joined(separator: ", "), found: "\"\(s)\"")
        }
        return v
    }

    func doubles(_ key: String, count: Int, nonZero: Bool = false) throws(ConfigError) -> [Double]? {
        guard let n = node(key) else { return nil }
        guard let seq = n.sequence else { throw .badValue(path: path + key, expected: "a list of \(count) numbers", found: Fields.describe(n)) }
        guard seq.count == count else { throw .badValue(path: path + key, expected: "a list of \(count) numbers", found: "\(seq.count) items") }
        var out: [Double] = []
        for (i, item) in seq.enumerated() {
            guard let s = item.scalar?.string, let v = Double(s), v.isFinite else {
                throw .badValue(path: "\(path)\(key)[\(i)]", expected: "a number", found: Fields.describe(item))
            }
            if nonZero, v == 0 { throw .badValue(path: "\(path)\(key)[\(i)]", expected: "a non-zero number", found: "0") }
            out.append(v)
        }
        return out
    }

    /// Reject keys that were never read.
    func finish() throws(ConfigError) {
        if let unknown = pairs.first(where: { !used.contains($0.key) }) {
            throw .unknownKey(path: path + unknown.key, expected: Array(used).sorted())
        }
    }
}
