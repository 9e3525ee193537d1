// InferenceSession: a loaded, optimised, memory-planned model (or sub-graph between named
// tensors) ready to run. All buffers are allocated at init; `run` allocates only the result
// tensors, and `run(inputs:body:)` allocates nothing. `run(reading:writing:body:)` copies nothing
// either: the kernels read the inputs from the caller's buffers and write the chosen outputs into
// the caller's buffers. One thread at a time per session.

import CBLAS
import Foundation

public final class InferenceSession: @unchecked Sendable {
    // Invariant: mutable state (the arena) is touched only by `run`, which callers must not
    // call concurrently on one session.

    public let inputs: [(name: String, shape: [Int])]
    public let outputs: [(name: String, shape: [Int])]
    public let threads: Int
    /// Op type -> count after load-time optimisation (for `inspect`).
    public let opCounts: [(op: String, count: Int)]
    /// Op type -> count as stored in the file.
    public let fileOpCounts: [(op: String, count: Int)]
    /// Number of weight values in the file's initializers.
    public let parameterCount: Int
    /// FLOPs of one run (multiply-add = 2).
    public let flops: Int
    /// Values kept in their reader's padded layout (PaddedLayoutPlan), sorted by name.
    let paddedValues: [String]

    private struct Step {
        var label: String
        var kernel: Kernel
        var ins: [UnsafePointer<Float>]
        var outs: [UnsafeMutablePointer<Float>]
    }

    /// The kernels' operand pointers: into the arena, except during a run(reading:writing:body:),
    /// which points the operands of the graph's inputs and outputs at the caller's buffers and
    /// restores them after.
    private var steps: [Step]
    /// One operand of one step that reads or writes a graph input or output value, with its arena pointer.
    private struct Use {
        var step: Int
        var isOutput: Bool
        var operand: Int
        var arena: UnsafeMutablePointer<Float>
    }
    /// Every step operand that reads each graph input (by name).
    private let inputUses: [String: [Use]]
    /// Every step operand that writes or reads each graph output (by name); constant outputs have none.
    private let outputUses: [String: [Use]]
    private let arena: UnsafeMutablePointer<Float>
    private let arenaCount: Int
    private let inputSlots: [String: (ptr: UnsafeMutablePointer<Float>, count: Int)]
    private let outputSlots: [(name: String, ptr: UnsafeMutablePointer<Float>, shape: [Int])]
    private let outputViews: [String: UnsafeBufferPointer<Float>]
    private let scratch: UnsafeMutablePointer<Float>
    private let constStores: [FloatStore]

    public convenience init(modelPath: String, threads: Int = 1, inputNames: [String]? = nil,
                            outputNames: [String]? = nil) throws {
        try self.init(model: LoadedModel(path: modelPath), threads: threads, inputNames: inputNames, outputNames: outputNames)
    }

    /// A session of an already loaded model (several sessions of one file share one parse).
    public convenience init(model: LoadedModel, threads: Int = 1, inputNames: [String]? = nil,
                            outputNames: [String]? = nil) throws {
        try self.init(model: model, threads: threads, inputNames: inputNames, outputNames: outputNames,
                      convAlgorithm: .auto)
    }

    public convenience init(modelData: [UInt8], threads: Int = 1, inputNames: [String]? = nil,
                            outputNames: [String]? = nil) throws {
        try self.init(modelData: modelData, threads: threads, inputNames: inputNames, outputNames: outputNames,
                      path: "<memory>")
    }

    /// `paddedMinPixels`: convs write the padded input layout of the convs reading them for planes
    /// of at least this many pixels (see PaddedLayoutPlan; Int.max: never, the tests' plain twin).
    convenience init(modelData: [UInt8], threads: Int, inputNames: [String]?, outputNames: [String]?, path: String,
                     convAlgorithm: ConvAlgorithm = .auto, paddedMinPixels: Int = PaddedLayoutPlan.defaultMinPixels) throws {
        try self.init(model: LoadedModel(modelData: modelData, path: path), threads: threads, inputNames: inputNames,
                      outputNames: outputNames, convAlgorithm: convAlgorithm, paddedMinPixels: paddedMinPixels)
    }

    init(model: LoadedModel, threads: Int, inputNames: [String]?, outputNames: [String]?,
         convAlgorithm: ConvAlgorithm, paddedMinPixels: Int = PaddedLayoutPlan.defaultMinPixels) throws {
        self.threads = max(1, threads)
        var graph = model.graph   // this session's copy (copy-on-write)
        fileOpCounts = model.fileOpCounts
        parameterCount = model.parameterCount
        let inNames = inputNames ?? graph.inputs.map { $0.name }
        let outNames = outputNames ?? graph.outputs
        for o in outNames where graph.shapes[o] == nil && graph.consts[o] == nil {
            throw InferenceError.unknownTensor(name: o, known: Array(graph.shapes.keys).sorted())
        }
        try GraphOptimizer.prune(&graph, inputs: inNames, outputs: outNames)
        GraphOptimizer.optimize(&graph)
        opCounts = InferenceSession.countOps(graph.nodes)

        // Compile every node for its final shapes.
        var compiled: [CompiledOp] = []
        var totalFlops = 0
        for node in graph.nodes {
            let ctx = try ShapeInference.context(node, graph.consts, graph.shapes, threads: self.threads)
            let op: CompiledOp
            switch (node.op, convAlgorithm) {
            case ("Conv", .reference): op = try compileConv(ctx, algorithm: .reference)
            case ("ConvTranspose", .reference): op = try compileConvTranspose(ctx, algorithm: .reference)
            default: op = try OpRegistry.compile(ctx)
            }
            totalFlops += op.flops
            compiled.append(op)
        }
        flops = totalFlops

        // Values kept in a consumer's padded layout, and the kernels that read or write them.
        let padded = PaddedLayoutPlan.plan(nodes: graph.nodes, ops: compiled, outputs: Set(outNames), minPixels: paddedMinPixels)
        paddedValues = padded.keys.sorted()
        var labelSuffix = [String](repeating: "", count: graph.nodes.count)
        for (s, node) in graph.nodes.enumerated() {
            guard let hooks = compiled[s].layoutHooks else { continue }
            let inPadded = node.inputs.first.map { padded[$0] != nil } ?? false
            let out = node.outputs.first.flatMap { padded[$0] }
            guard inPadded || out != nil else { continue }
            guard let k = hooks.kernel(inPadded, out) else {
                throw InferenceError.invalidNode(op: node.op, node: node.name, expected: "a padded-layout kernel",
                                                 found: "none (layout plan inconsistent)")
            }
            compiled[s].kernel = k
            labelSuffix[s] = (inPadded ? " <padded" : "") + (out != nil ? " >padded" : "")
        }

        // Value table: inputs first, then each node's outputs (omitted outputs get anonymous slots).
        var valueIndex: [String: Int] = [:]
        var intervals: [MemoryPlan.Interval] = []
        func addValue(_ name: String?, size: Int, start: Int) -> Int {
            intervals.append(.init(size: size, start: start, end: start))
            if let name { valueIndex[name] = intervals.count - 1 }
            return intervals.count - 1
        }
        for i in graph.inputs { _ = addValue(i.name, size: product(i.shape), start: -1) }
        var stepOutValues: [[Int]] = []
        var stepInValues: [[Int?]] = []
        for (s, node) in graph.nodes.enumerated() {
            stepInValues.append(node.inputs.map { $0.isEmpty ? nil : valueIndex[$0] })
            for v in stepInValues[s].compactMap({ $0 }) { intervals[v].end = max(intervals[v].end, s) }
            var outs: [Int] = []
            for (k, shape) in compiled[s].outShapes.enumerated() {
                let name = k < node.outputs.count && !node.outputs[k].isEmpty ? node.outputs[k] : nil
                outs.append(addValue(name, size: name.flatMap { padded[$0]?.count } ?? product(shape), start: s))
            }
            stepOutValues.append(outs)
        }
        // Outputs live to the end; outputs that are constants or inputs get their own slot.
        let end = graph.nodes.count
        var constOutputs: [(Int, Const)] = []
        var passThrough: [(from: Int, to: Int)] = []
        for o in outNames {
            if let v = valueIndex[o], intervals[v].start >= 0 {
                intervals[v].end = end
            } else if let c = graph.consts[o] {
                let v = addValue(nil, size: c.count, start: -1)
                intervals[v].end = end
                constOutputs.append((v, c))
            } else if let v = valueIndex[o] {
                intervals[v].end = end
                let copy = addValue(nil, size: intervals[v].size, start: end)
                intervals[copy].end = end + 1
                passThrough.append((v, copy))
            }
        }
        for v in intervals.indices where intervals[v].start == -1 && intervals[v].end == -1 { intervals[v].end = 0 }

        let plan = MemoryPlan(intervals)
        let scratchCount = compiled.map { $0.scratchCount }.max() ?? 0
        arenaCount = plan.total + MemoryPlan.align(scratchCount) + 16
        // on a cache line: every value's offset is a multiple of 16 floats, so full-vector stores and
        // loads at vector-aligned pixels stay inside one line (malloc's large blocks start 16 bytes
        // into a page: each 64-byte store crossed two lines)
        arena = UnsafeMutableRawPointer.allocate(byteCount: arenaCount * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: arenaCount)
        arena.initialize(repeating: 0, count: arenaCount)
        scratch = arena + plan.total
        let arenaBase = arena
        func ptr(_ v: Int) -> UnsafeMutablePointer<Float> { arenaBase + plan.offsets[v] }

        // Constants used by kernels get stable storage.
        var stores: [String: FloatStore] = [:]
        let dummy = FloatStore(count: 16)
        var built: [Step] = []
        for (s, node) in graph.nodes.enumerated() {
            var ins: [UnsafePointer<Float>] = []
            for (k, name) in node.inputs.enumerated() {
                if let v = stepInValues[s][k] {
                    ins.append(UnsafePointer(ptr(v)))
                } else if !name.isEmpty, let c = graph.consts[name] {
                    let st = stores[name] ?? FloatStore(c.floats)
                    stores[name] = st
                    ins.append(UnsafePointer(st.p))
                } else {
                    ins.append(UnsafePointer(dummy.p))
                }
            }
            let shapeText = compiled[s].outShapes.first.map { "\($0)" } ?? ""
            let label = InferenceSession.opLabel(node) + " " + shapeText + labelSuffix[s]
            built.append(Step(label: label, kernel: compiled[s].kernel, ins: ins, outs: stepOutValues[s].map { ptr($0) }))
        }
        for (from, to) in passThrough {
            let n = intervals[from].size
            built.append(Step(label: "Copy", kernel: { ins, outs, _ in outs[0].update(from: ins[0], count: n) },
                              ins: [UnsafePointer(ptr(from))], outs: [ptr(to)]))
            stepInValues.append([from])
            stepOutValues.append([to])
        }
        steps = built
        // Which step operands touch each graph input / output value (for run(reading:writing:body:)).
        func uses(of v: Int) -> [Use] {
            var u: [Use] = []
            for s in stepInValues.indices {
                for (k, iv) in stepInValues[s].enumerated() where iv == v { u.append(Use(step: s, isOutput: false, operand: k, arena: ptr(v))) }
                for (k, ov) in stepOutValues[s].enumerated() where ov == v { u.append(Use(step: s, isOutput: true, operand: k, arena: ptr(v))) }
            }
            return u
        }
        var inUses: [String: [Use]] = [:]
        for i in graph.inputs { inUses[i.name] = uses(of: valueIndex[i.name]!) }
        inputUses = inUses
        var outUses: [String: [Use]] = [:]
        var passIdx = 0
        for o in outNames {
            if let v = valueIndex[o], intervals[v].start >= 0 {
                outUses[o] = uses(of: v)
            } else if graph.consts[o] != nil {
                outUses[o] = []
            } else {
                outUses[o] = uses(of: passThrough[passIdx].to); passIdx += 1
            }
        }
        outputUses = outUses
        constStores = Array(stores.values) + [dummy]
        for (v, c) in constOutputs { ptr(v).update(from: c.floats, count: c.count) }

        var inSlots: [String: (ptr: UnsafeMutablePointer<Float>, count: Int)] = [:]
        for i in graph.inputs { inSlots[i.name] = (ptr(valueIndex[i.name]!), product(i.shape)) }
        inputSlots = inSlots
        inputs = graph.inputs

        var outSlots: [(name: String, ptr: UnsafeMutablePointer<Float>, shape: [Int])] = []
        var cIdx = 0, pIdx = 0
        for o in outNames {
            if let v = valueIndex[o], intervals[v].start >= 0 {
                outSlots.append((o, ptr(v), graph.shapes[o] ?? []))
            } else if let c = graph.consts[o] {
                outSlots.append((o, ptr(constOutputs[cIdx].0), c.shape)); cIdx += 1
            } else {
                outSlots.append((o, ptr(passThrough[pIdx].to), graph.shapes[o] ?? [])); pIdx += 1
            }
        }
        outputSlots = outSlots
        outputs = outSlots.map { ($0.name, $0.shape) }
        var views: [String: UnsafeBufferPointer<Float>] = [:]
        for o in outSlots { views[o.name] = UnsafeBufferPointer(start: o.ptr, count: product(o.shape)) }
        outputViews = views
    }

    deinit { UnsafeMutableRawPointer(arena).deallocate() }   // allocated raw, 64-byte aligned

    /// "Conv", "Conv+Relu", "Conv+Add+Relu" (a fused residual Add, see GraphOptimizer).
    private static func opLabel(_ n: Node) -> String {
        var key = n.op
        if n.op == "Conv", n.inputs.count > 3, !n.inputs[3].isEmpty { key += "+Add" }
        if n.activation != .none { key += "+" + n.activation.name }
        if n.op == "Conv", n.inputs.count > 4, !n.inputs[4].isEmpty { key += n.int("_postUp", 1) == 2 ? "+AddUp2" : "+Add" }
        return key
    }

    static func countOps(_ nodes: [Node]) -> [(op: String, count: Int)] {
        var c: [String: Int] = [:]
        for n in nodes { c[opLabel(n), default: 0] += 1 }
        return c.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { ($0.key, $0.value) }
    }

    /// Runs on `Tensor` inputs keyed by name; returns every output.
    public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        for (name, t) in inputs {
            guard let spec = self.inputs.first(where: { $0.name == name }) else {
                throw InferenceError.unknownTensor(name: name, known: self.inputs.map { $0.name })
            }
            guard t.shape == spec.shape, t.data.count == product(spec.shape) else {
                throw InferenceError.wrongInputShape(name: name, expected: spec.shape, found: t.shape)
            }
        }
        for spec in self.inputs where inputs[spec.name] == nil { throw InferenceError.missingInput(name: spec.name) }
        for (name, t) in inputs {
            let slot = inputSlots[name]!
            t.data.withUnsafeBufferPointer { slot.ptr.update(from: $0.baseAddress!, count: slot.count) }
        }
        execute()
        var result: [String: Tensor] = [:]
        for o in outputSlots {
            result[o.name] = Tensor(shape: o.shape, data: Array(UnsafeBufferPointer(start: o.ptr, count: product(o.shape))))
        }
        return result
    }

    /// Allocation-free run: copies each input from the caller's buffer, runs, and hands the
    /// outputs (views into the session's memory, valid only inside `body`) to `body`.
    public func run<R>(inputs: [String: UnsafeBufferPointer<Float>],
                       body: ([String: UnsafeBufferPointer<Float>]) throws -> R) throws -> R {
        for spec in self.inputs {
            guard let buf = inputs[spec.name] else { throw InferenceError.missingInput(name: spec.name) }
            let slot = inputSlots[spec.name]!
            guard buf.count == slot.count, let base = buf.baseAddress else {
                throw InferenceError.wrongInputShape(name: spec.name, expected: spec.shape, found: [buf.count])
            }
            slot.ptr.update(from: base, count: slot.count)
        }
        execute()
        return try body(outputViews)
    }

    /// The session's own buffer for input `name`: fill it, then call `runInPlace`.
    public func inputBuffer(_ name: String) -> UnsafeMutableBufferPointer<Float>? {
        inputSlots[name].map { UnsafeMutableBufferPointer(start: $0.ptr, count: $0.count) }
    }

    /// Runs on whatever the input buffers hold; outputs are read with `outputBuffer`.
    public func runInPlace() { execute() }

    /// View of output `name` after a run (valid until the next run).
    public func outputBuffer(_ name: String) -> UnsafeBufferPointer<Float>? { outputViews[name] }

    /// Zero-copy run: the kernels read every input straight from the caller's buffer (no copy into
    /// the session's memory) and write each output named in `outputs` straight into the caller's
    /// buffer. `body` gets every output: the written ones as views of the caller's buffers, the others
    /// as views into the session's memory (valid only inside `body`). Results are bit-identical to
    /// `run(inputs:body:)`. Buffers must hold exactly the tensor's element count, and no output
    /// buffer may overlap an input or another output (kernels assume operands never alias).
    /// Allocation-free apart from the dictionary handed to `body` when outputs are written.
    public func run<R>(reading inputs: [String: UnsafeBufferPointer<Float>],
                       writing outputs: [String: UnsafeMutableBufferPointer<Float>] = [:],
                       body: ([String: UnsafeBufferPointer<Float>]) throws -> R) throws -> R {
        for spec in self.inputs {
            guard let buf = inputs[spec.name] else { throw InferenceError.missingInput(name: spec.name) }
            guard buf.count == product(spec.shape), buf.baseAddress != nil else {
                throw InferenceError.wrongInputShape(name: spec.name, expected: spec.shape, found: [buf.count])
            }
        }
        for name in inputs.keys where inputUses[name] == nil {
            throw InferenceError.unknownTensor(name: name, known: self.inputs.map { $0.name })
        }
        for (name, buf) in outputs {
            guard let spec = self.outputs.first(where: { $0.name == name }) else {
                throw InferenceError.unknownTensor(name: name, known: self.outputs.map { $0.name })
            }
            guard buf.count == product(spec.shape), let base = buf.baseAddress else {
                throw InferenceError.wrongOutputBuffer(name: name, expected: "\(product(spec.shape)) floats (shape \(spec.shape))",
                                                       found: "\(buf.count) floats")
            }
            let lo = UnsafeRawPointer(base), hi = lo + buf.count * MemoryLayout<Float>.stride
            func overlaps(_ p: UnsafeRawPointer?, _ n: Int) -> Bool {
                guard let p, n > 0 else { return false }
                return p < hi && lo < p + n * MemoryLayout<Float>.stride
            }
            for (other, b) in inputs where overlaps(UnsafeRawPointer(b.baseAddress), b.count) {
                throw InferenceError.wrongOutputBuffer(name: name, expected: "a buffer of its own", found: "overlaps input \(other)")
            }
            for (other, b) in outputs where other != name && overlaps(UnsafeRawPointer(b.baseAddress), b.count) {
                throw InferenceError.wrongOutputBuffer(name: name, expected: "a buffer of its own", found: "overlaps output \(other)")
            }
        }
        // Point the operands at the caller's buffers for this run; always put the arena back.
        for (name, buf) in inputs { for u in inputUses[name] ?? [] { bind(u, UnsafeMutablePointer(mutating: buf.baseAddress!)) } }
        for (name, buf) in outputs { for u in outputUses[name] ?? [] { bind(u, buf.baseAddress!) } }
        defer {
            for name in inputs.keys { for u in inputUses[name] ?? [] { bind(u, u.arena) } }
            for name in outputs.keys { for u in outputUses[name] ?? [] { bind(u, u.arena) } }
        }
        execute()
        if outputs.isEmpty { return try body(outputViews) }
        var views = outputViews
        for (name, buf) in outputs {
            // A constant output is no step's operand: copy it from the session's memory.
            if outputUses[name]?.isEmpty ?? false, let v = outputViews[name], let src = v.baseAddress {
                buf.baseAddress!.update(from: src, count: v.count)
            }
            views[name] = UnsafeBufferPointer(buf)
        }
        return try body(views)
    }

    /// Sets one step operand's pointer (in place: no copy of the step table).
    private func bind(_ u: Use, _ p: UnsafeMutablePointer<Float>) {
        if u.isOutput { steps[u.step].outs[u.operand] = p } else { steps[u.step].ins[u.operand] = UnsafePointer(p) }
    }

    /// OpenBLAS runs single-threaded: the engine splits GEMMs itself into problem-defined chunks,
    /// so 1 and 2 threads give bit-identical results (OpenBLAS's own threading partitions by
    /// thread count). Set once per process, on the first run: OpenBLAS 0.3.21 re-creates its
    /// thread pool in every call (which then spins ~0.1 s), so a program can stop the pool once
    /// and for all; a program that changes the count itself must set it back to 1.
    private static let blasSingleThreaded: Void = openblas_set_num_threads(1)

    private func execute() {
        InferenceSession.blasSingleThreaded
        // Denormals flushed to zero while the model runs: they cost 10-60x in every kernel;
        // their values (< 1.2e-38) are far below the parity tolerance.
        let fp = drivepipe_fp_flush_denormals_begin()
        defer { drivepipe_fp_flush_denormals_end(fp) }
        Parallel.burst(threads: threads) { runSteps() }
    }

    private func runSteps() {
        if profiling {
            for (i, s) in steps.enumerated() {
                let t0 = DispatchTime.now().uptimeNanoseconds
                s.kernel(s.ins, s.outs, scratch)
                let dt = DispatchTime.now().uptimeNanoseconds - t0
                stepNanos[i] += dt
                stepMinNanos[i] = min(stepMinNanos[i], dt)
            }
            profiledRuns += 1
            return
        }
        for s in steps { s.kernel(s.ins, s.outs, scratch) }
    }

    // MARK: profiling (set `profiling = true`, run, then read `profileReport()`)

    /// When true, runs time every step (for `drivepipe bench --profile`).
    public var profiling = false
    private lazy var stepNanos = [UInt64](repeating: 0, count: steps.count)
    /// Fastest run of each step (on a shared host the mean includes other processes' time slices).
    private lazy var stepMinNanos = [UInt64](repeating: .max, count: steps.count)
    private var profiledRuns = 0

    /// Per-step mean milliseconds over the profiled runs, slowest first, and each step's minimum.
    public func profileReport(top: Int = 25) -> String {
        guard profiledRuns > 0 else { return "no profiled runs\n" }
        let total = Double(stepNanos.reduce(0, +)) / 1e6 / Double(profiledRuns)
        let minTotal = Double(stepMinNanos.reduce(0) { $0 + ($1 == .max ? 0 : $1) }) / 1e6
        var out = String(format: "total %.3f ms per run (sum of step minimums %.3f)\n", total, minTotal)
        let order = steps.indices.sorted { stepNanos[$0] > stepNanos[$1] }
        for i in order.prefix(top) {
            let ms = Double(stepNanos[i]) / 1e6 / Double(profiledRuns)
            let lo = Double(stepMinNanos[i]) / 1e6
            out += String(format: "%8.3f ms %5.1f%%  min %7.3f  #%d ", ms, 100 * ms / max(total, 1e-9), lo, i) + steps[i].label + "\n"
        }
        return out
    }
}

extension Activation {
    var name: String {
        switch self {
        case .none: return "none"
        case .relu: return "Relu"
        case .leakyRelu: return "LeakyRelu"
        case .clip: return "Clip"
        case .sigmoid: return "Sigmoid"
        case .tanh: return "Tanh"
        case .hardSigmoid: return "HardSigmoid"
        case .hardSwish: return "HardSwish"
        case .prelu: return "PRelu"
        }
    }
}
