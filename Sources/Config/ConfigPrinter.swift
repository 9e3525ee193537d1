// The effective configuration as YAML (what `drivepipe check-config` prints): every key, with
// defaults filled in, in a fixed order; loading it back gives the same config.

extension PipelineConfig {
    public func yaml() -> String {
        func num(_ d: Double) -> String {
            if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) + ".0" }
            return "\(d)"
        }
        func list(_ v: [Double]) -> String { "[" + v.map(num).joined(separator: ", ") + "]" }
        func opt(_ s: String?) -> String { s.map { "\"\($0)\"" } ?? "null" }
        var o = "version: \(version)\n"
        o += "models:\n"
        o += "  card: \(opt(models.card))\n"
        o += "  backbone: \(opt(models.backbone))\n  detection_head: \(opt(models.detectionHead))\n"
        o += "  segmentation_head: \(opt(models.segmentationHead))\n  forecaster: \(opt(models.forecaster))\n"
        o += "input:\n" + (input.sizeFromModel ? "  # width, height: the model card's\n" : "  width: \(input.width)\n  height: \(input.height)\n")
        o += "  resize: \(input.resize.rawValue)\n"
        o += "  normalization:\n    scale: \(num(input.scale))\n    mean: \(list(input.mean))\n    std: \(list(input.std))\n    order: \(input.order.rawValue)\n"
        o += "decode:\n  max_pixels: \(decode.maxPixels)\n  reduced_size: \(decode.reducedSize)\n  fast_dct: \(decode.fastDCT)\n"
        o += "detection:\n  decoder: \(detection.decoder.rawValue)\n  score_threshold: \(num(detection.scoreThreshold))\n"
        o += "  nms_iou_threshold: \(num(detection.nmsIouThreshold))\n  max_detections: \(detection.maxDetections)\n"
        o += "segmentation:\n  decoder: \(segmentation.decoder.rawValue)\n"
        o += "threads:\n  blas: \(threads.blas)\n  decode: \(threads.decode)\n  preprocess: \(threads.preprocess)\n  backbone: \(threads.backbone)\n  heads: \(threads.heads)\n  scheduling: \(threads.scheduling.rawValue)\n"
        o += "edges:\n"
        for name in PipelineConfig.edgeNames {
            let e = edge(name)
            o += "  \(name): {policy: \(e.policy.rawValue)"
            if e.policy != .latestOnly { o += ", capacity: \(e.capacity)" }
            if e.policy == .block, let low = e.lowWatermark { o += ", low_watermark: \(low)" }
            o += "}\n"
        }
        o += "camera:\n  calibration: \(opt(camera.calibration))\n"
        o += "budgets_ms:" + (budgetsMs.isEmpty ? " {}\n" : "\n" + PipelineConfig.budgetStages.compactMap { s in
            budgetsMs[s].map { "  \(s): \(num($0))\n" } }.joined())
        o += "planner:\n  wheelbase_m: \(num(planner.wheelbaseM))\n  default_speed_mps: \(num(planner.defaultSpeedMps))\n"
        o += "  target_speed_mps: \(num(planner.targetSpeedMps))\n"
        o += "  max_accel_mps2: \(num(planner.maxAccelMps2))\n  comfort_decel_mps2: \(num(planner.comfortDecelMps2))\n"
        o += "  max_decel_mps2: \(num(planner.maxDecelMps2))\n"
        o += "  time_gap_s: \(num(planner.timeGapS))\n  min_gap_m: \(num(planner.minGapM))\n"
        o += "  ttc_threshold_s: \(num(planner.ttcThresholdS))\n  lookahead_time_s: \(num(planner.lookaheadTimeS))\n"
        o += "  max_steering_rad: \(num(planner.maxSteeringRad))\n  max_steering_rate_radps: \(num(planner.maxSteeringRateRadps))\n"
        o += "  max_drop_ratio: \(num(planner.maxDropRatio))\n  max_frame_age_s: \(num(planner.maxFrameAgeS))\n"
        o += "  health_window_frames: \(planner.healthWindowFrames)\n"
        o += "output:\n  timing: \(output.timing)\n  float_decimals: \(output.floatDecimals)\n"
        return o
    }
}
