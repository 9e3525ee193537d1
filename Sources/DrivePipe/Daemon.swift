// Daemon: `drivepipe run` as a function: load the config, open the source, wire the stages, watch
// SIGINT/SIGTERM, run until the end of input (or a signal and the drain), print the stats table
// on stderr. Returns the process exit code.
import Config
import Foundation
import Logging
import Messages
import Pipeline
import Sources

public struct RunOptions: Sendable {
    /// Drive-log folder, KITTI raw drive or frame folder; nil = the bundled demo drive log.
    public var source: String?
    /// Pipeline YAML; nil = pipelines/default.yaml.
    public var pipeline: String?
    public var follow = false
    public var idleTimeoutS: Double?
    public var rateHz: Double?
    public var realtime = false
    /// Add `latency_ms` to every line (overrides `output.timing`).
    public var timing: Bool?
    /// Print the per-stage / per-edge table on stderr at the end.
    public var statsTable = true
    /// Write annotated frames (JPEG) into this folder.
    public var overlayDirectory: String?
    public init(source: String? = nil, pipeline: String? = nil) { self.source = source; self.pipeline = pipeline }
}

public enum DaemonError: Error, CustomStringConvertible {
    case config(ConfigError)
    case source(SourceError)
    case build(PipelineBuildError)
    case assembly(AssemblyError)
    case noPackageRoot(expected: String)
    case badOption(name: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .config(let e): return "pipeline config: \(e)"
        case .source(let e): return "source: \(e)"
        case .build(let e): return "pipeline: \(e)"
        case .assembly(let e): return "pipeline: \(e)"
        case .noPackageRoot(let e): return "cannot find the project folder: expected \(e) (set DRIVEPIPE_ROOT)"
        case .badOption(let n, let e, let f): return "\(n): expected \(e), found \(f)"
        }
    }
}

public enum Daemon {
    /// The stage threads' scheduling for `threads.scheduling`. `auto`: batch for an unpaced replay
    /// whose inference runs single-threaded; normal for live runs (a woken stage should run at once)
    /// and with BLAS threads (the engine's pool parks idle workers and wakes them for every layer).
    static func stageScheduling(_ threads: PipelineConfig.Threads, live: Bool) -> ThreadScheduling {
        switch threads.scheduling {
        case .batch: return .batch
        case .normal: return .normal
        case .auto: return !live && threads.blas == 1 ? .batch : .normal
        }
    }

    /// Run the daemon to completion. Throws only before the pipeline starts (bad config/source).
    public static func run(_ options: RunOptions, logger: Logger = Logger(label: "drivepipe")) throws(DaemonError) -> Int32 {
        IdleBLASPool.stop()
        let root = PackageRoot.find()
        let pipelinePath: String
        if let p = options.pipeline { pipelinePath = p } else {
            guard let root else { throw .noPackageRoot(expected: "a folder holding \(PackageRoot.defaultPipeline)") }
            pipelinePath = root + "/" + PackageRoot.defaultPipeline
        }
        var config: PipelineConfig
        do { config = try ConfigLoader.load(path: pipelinePath) } catch { throw .config(error) }
        if let t = options.timing { config.output.timing = t }

        let sourcePath: String
        if let s = options.source { sourcePath = s } else {
            guard let root else { throw .noPackageRoot(expected: "a folder holding \(PackageRoot.bundledLog)") }
            sourcePath = root + "/" + PackageRoot.bundledLog
        }
        if let r = options.rateHz, !(r > 0 && r.isFinite) { throw .badOption(name: "--rate", expected: "a positive rate in Hz", found: "\(r)") }
        if let t = options.idleTimeoutS, !(t >= 0 && t.isFinite) { throw .badOption(name: "--idle-timeout", expected: "seconds >= 0", found: "\(t)") }
        if options.rateHz != nil && options.realtime { throw .badOption(name: "--rate", expected: "either --rate or --realtime", found: "both") }

        let clock = SystemClock()
        let pace: PacedReader.Pace? = options.rateHz.map { .rate(hz: $0) } ?? (options.realtime ? .realtime : nil)
        let reader: any FrameReader
        do {
            reader = try SourceLocator.open(sourcePath, options: SourceOptions(follow: options.follow, idleTimeoutS: options.idleTimeoutS, pace: pace), clock: clock)
        } catch { throw .source(error) }
        logger.info("replaying \(sourcePath) with \(pipelinePath)")

        let builder = PipelineBuilder(clock: clock)
        builder.scheduling = stageScheduling(config.threads, live: pace != nil || options.follow)
        logger.info("stage threads: \(builder.scheduling.rawValue) scheduling")
        let result = ResultBox()
        // A reader that closed stdout gives EPIPE (not a SIGPIPE death): stop the source then.
        signal(SIGPIPE, SIG_IGN)
        let writer = OutputWriter(fd: 1) { [stop = builder.stop] why in stop.stop(reason: "stdout: \(why)") }
        if let dir = options.overlayDirectory {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw .badOption(name: "--overlay-dir", expected: "a writable folder", found: "\(dir): \(error.localizedDescription)")
            }
        }
        let sink = NDJSONSink<PlannedFrame>(writer: writer, timing: config.output.timing, decimals: config.output.floatDecimals,
                                                 clock: clock, logger: logger) { tally, failure in result.set(tally, failure) }
        let stages: AssembledStages
        do {
            stages = try Assembly.wire(builder, reader: reader, config: config,
                                       options: AssemblyOptions(overlayDirectory: options.overlayDirectory, liveHealth: options.follow),
                                       sink: sink)
        } catch { throw .assembly(error) }
        let pipeline: Pipeline
        do { pipeline = try builder.build() } catch { throw .build(error) }

        let signals = SignalWatcher { name in
            logger.notice("\(name): stopping the source, draining accepted frames")
            pipeline.requestStop(reason: name)
        }
        let report = pipeline.run()
        signals.cancel()

        let (tally, failure) = result.get()
        if options.statsTable {
            var text = report.table()
            let accepted = report.stages.first(where: { $0.kind == "source" })?.processed ?? 0
            text += "frames accepted: \(accepted), lines out: \(tally.lines) (decisions \(tally.decisions), errors \(tally.errors), drops \(tally.drops))"
            if let reason = report.stopReason { text += "; stopped by \(reason)" }
            if let peak = ProcessMemory.peakRSSBytes() { text += String(format: "; peak RSS %.1f MB", Double(peak) / 1e6) }
            let c = stages.tracking.counters
            text += "\ntracker: \(c.tracksCreated) tracks created, \(c.tracksConfirmed) confirmed, \(c.tracksDeleted) deleted, "
                + "\(c.fragmentations) fragmentations, \(c.gateRejections) gate rejections, max \(c.maxLiveTracks) live"
            let modes = stages.planning.modeCounts.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }
            text += "\nplanner modes: " + modes.joined(separator: ", ")
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
        if let failure {
            logger.error("writing stdout failed: \(failure)")
            return 1
        }
        return 0
    }

    /// The sink's final tally, handed from the sink thread to the caller.
    final class ResultBox: @unchecked Sendable {
        // Invariant: fields accessed with `lock` held.
        private let lock = NSLock()
        private var tally = SinkTally()
        private var failure: String?
        func set(_ t: SinkTally, _ f: String?) { lock.lock(); tally = t; failure = f; lock.unlock() }
        func get() -> (SinkTally, String?) { lock.lock(); defer { lock.unlock() }; return (tally, failure) }
    }
}
