// `drivepipe run`: replay a drive log / KITTI drive / frame folder through the pipeline; one NDJSON
// line per input frame on stdout.
import ArgumentParser
import Inference
import DrivePipe

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the pipeline on a source; NDJSON decisions on stdout, one line per input frame.",
        discussion: "With no SOURCE, replays the bundled demo drive log with pipelines/default.yaml.")

    @Argument(help: "Drive-log folder (has log.jsonl), KITTI raw drive (image_02/), or folder of *.jpg/*.jpeg/*.png frames.")
    var source: String?

    @Option(name: .long, help: "Pipeline config (YAML). Default: pipelines/default.yaml.")
    var pipeline: String?

    @Flag(name: .long, help: "Frame folder: keep watching for new frames until SIGINT/SIGTERM or --idle-timeout.")
    var follow = false

    @Option(name: .customLong("idle-timeout"), help: "With --follow: finish after this many seconds without a new frame.")
    var idleTimeout: Double?

    @Option(name: .long, help: "Release frames at this rate (Hz).")
    var rate: Double?

    @Flag(name: .long, help: "Release frames at the pace of their capture times.")
    var realtime = false

    @Flag(name: .long, help: "Add latency_ms to every output line (not byte-reproducible).")
    var timing = false

    @Flag(name: .customLong("no-stats"), help: "Do not print the per-stage/per-edge table on stderr.")
    var noStats = false

    @Option(name: .customLong("overlay-dir"), help: "Write annotated frames (boxes, track ids, lanes, forecasts, decision) as JPEGs here.")
    var overlayDir: String?

    @Option(name: .customLong("log-level"), help: "stderr log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "notice"

    func run() throws {
        BLASRuntime.reexecWithFastKernelsIfNeeded()   // before any thread starts
        LoggingSetup.bootstrap(level: logLevel)
        var o = RunOptions(source: source, pipeline: pipeline)
        o.follow = follow
        o.idleTimeoutS = idleTimeout
        o.rateHz = rate
        o.realtime = realtime
        o.timing = timing ? true : nil
        o.statsTable = !noStats
        o.overlayDirectory = overlayDir
        let code: Int32
        do {
            code = try Daemon.run(o, logger: LoggingSetup.logger(level: logLevel))
        } catch {
            printError("drivepipe run: \(error)")
            throw ExitCode(2)
        }
        if code != 0 { throw ExitCode(code) }
    }
}

/// One line on stderr.
func printError(_ message: String) {
    var text = message + "\n"
    text.withUTF8 { buf in _ = write(2, buf.baseAddress, buf.count) }
}

#if canImport(Glibc)
import Glibc
#endif
