// PipelineBuilder: wires stages into a graph of typed ports and bounded edges, then hands out a
// `Pipeline` to run. Types check the wiring at compile time: a stage's input type is the type of
// the port it reads.
//
//   let b = PipelineBuilder()
//   let frames = b.source("source", mySource)                       // Port<SourceFrame>
//   let images = b.map("decode", frames, edge: .block(4)) { f, _ in try decode(f) }
//   let (l, r) = (b.map("left", images, edge: .block(2), left), b.map("right", images, edge: .latestOnly, right))
//   let both = b.join("fuse", l, r, edges: (.block(2), .block(2))) { a, c, _ in (a, c) }
//   b.sink("sink", both, edge: .block(8), mySink)
//   let report = try b.build().run()

import Messages

public enum PipelineBuildError: Error, Equatable, CustomStringConvertible {
    case duplicateStage(name: String)
    case unconsumedPort(stage: String)
    case noSource
    case badWorkerCount(stage: String, expected: String, found: Int)

    public var description: String {
        switch self {
        case .duplicateStage(let n): return "stage name \"\(n)\" is used twice; expected unique stage names"
        case .unconsumedPort(let s): return "output of stage \"\(s)\" has no consumer; expected every output to feed a stage or sink"
        case .noSource: return "pipeline has no source; expected exactly one"
        case .badWorkerCount(let s, let e, let f): return "stage \"\(s)\": expected \(e) workers, found \(f)"
        }
    }
}

public final class PipelineBuilder {
    public let clock: any PipelineClock
    public let stop: StopToken
    /// The kernel scheduling policy of every stage thread (see `ThreadScheduling`).
    public var scheduling: ThreadScheduling = .normal
    private var runners: [any StageRunner] = []
    private var edgeHandles: [any EdgeHandle] = []
    private var names: [String] = []
    private var portChecks: [(stage: String, consumed: () -> Bool)] = []
    private var errors: [PipelineBuildError] = []
    private var sources = 0

    public init(clock: any PipelineClock = SystemClock(), stop: StopToken = StopToken()) {
        self.clock = clock
        self.stop = stop
    }

    /// The frame source; runs on its own thread until end of input or a stop request.
    public func source<S: PipelineSource>(_ name: String, _ source: S) -> Port<S.Output> {
        register(name)
        sources += 1
        let port = newPort(Port<S.Output>(producer: name))
        runners.append(SourceRunner(name: name, source: source, output: port, clock: clock, stop: stop))
        return port
    }

    /// A one-in, one-out stage on `workers` dedicated threads (output order = input order).
    /// `makeBody` is called once per worker, here, so stateful bodies are never shared.
    /// `budgetMs`: processing longer than this counts as a timeout on the frame (it still goes on).
    public func map<A, B>(_ name: String, _ input: Port<A>, edge: EdgePolicy, workers: Int = 1, budgetMs: Double? = nil,
                          makeBody: () -> (A, FrameInfo) throws -> B) -> Port<B> {
        mapWithContext(name, input, edge: edge, workers: workers, budgetMs: budgetMs) {
            let body = makeBody()
            return { a, ctx in try body(a, ctx.info) }
        }
    }

    /// A one-in, one-out stage on one dedicated thread.
    public func map<A, B>(_ name: String, _ input: Port<A>, edge: EdgePolicy, budgetMs: Double? = nil,
                          _ body: @escaping (A, FrameInfo) throws -> B) -> Port<B> {
        map(name, input, edge: edge, workers: 1, budgetMs: budgetMs, makeBody: { body })
    }

    /// A map stage whose body also sees the frame's `StageContext` (age in the pipeline, budget
    /// overruns, the recent frames' drops and failures): what a planner needs for its health signal.
    public func mapWithContext<A, B>(_ name: String, _ input: Port<A>, edge: EdgePolicy, workers: Int = 1,
                                     budgetMs: Double? = nil, windowSize: Int = 30,
                                     makeBody: () -> (A, StageContext) throws -> B) -> Port<B> {
        register(name)
        if workers < 1 || workers > 64 { errors.append(.badWorkerCount(stage: name, expected: "1...64", found: workers)) }
        let q = self.edge(input, name, edge)
        let port = newPort(Port<B>(producer: name))
        let bodies = (0..<max(1, min(workers, 64))).map { _ in makeBody() }
        let budgetNs = budgetMs.map { UInt64(max(0, $0) * 1e6) }
        runners.append(MapRunner(name: name, input: q, output: port, bodies: bodies, budgetNs: budgetNs,
                                 windowSize: windowSize, clock: clock))
        return port
    }

    /// Two branches of the same frames into one consumer, paired by frame index (order kept).
    public func join<A, B, C>(_ name: String, _ left: Port<A>, _ right: Port<B>, edges: (EdgePolicy, EdgePolicy),
                              _ body: @escaping (A, B, FrameInfo) throws -> C) -> Port<C> {
        register(name)
        let l = self.edge(left, name, edges.0), r = self.edge(right, name, edges.1)
        let port = newPort(Port<C>(producer: name))
        runners.append(JoinRunner(name: name, left: l, right: r, output: port, body: body, clock: clock))
        return port
    }

    /// The end of the pipeline: sees every frame's outcome in input order.
    public func sink<S: PipelineSink>(_ name: String, _ input: Port<S.Input>, edge: EdgePolicy, _ sink: S) {
        register(name)
        let q = self.edge(input, name, edge)
        runners.append(SinkRunner(name: name, input: q, sink: sink, clock: clock))
    }

    /// Check the graph and hand out the runnable pipeline.
    public func build() throws(PipelineBuildError) -> Pipeline {
        if let e = errors.first { throw e }
        if sources != 1 { throw .noSource }
        for check in portChecks where !check.consumed() { throw .unconsumedPort(stage: check.stage) }
        return Pipeline(runners: runners, edges: edgeHandles, stop: stop, scheduling: scheduling)
    }

    private func register(_ name: String) {
        if names.contains(name) { errors.append(.duplicateStage(name: name)) }
        names.append(name)
    }

    private func newPort<T>(_ port: Port<T>) -> Port<T> {
        portChecks.append((port.producer, { !port.edges.isEmpty }))
        return port
    }

    private func edge<T>(_ port: Port<T>, _ consumer: String, _ policy: EdgePolicy) -> BoundedQueue<T> {
        let q = port.attach(consumer: consumer, policy: policy)
        edgeHandles.append(q)
        return q
    }
}
