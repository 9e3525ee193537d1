// ShapeInference: one pass over the (topologically ordered) nodes computing every value's
// static shape, and folding nodes whose inputs are all constant (this resolves
// Shape -> Gather -> Concat -> Reshape chains into constants).

enum ShapeInference {
    /// Fills `graph.shapes`, turns foldable nodes into constants and removes them.
    static func run(_ graph: inout Graph, threads: Int) throws {
        var shapes: [String: [Int]] = [:]
        for i in graph.inputs { shapes[i.name] = i.shape }
        var kept: [Node] = []
        for node in graph.nodes {
            let ctx = try context(node, graph.consts, shapes, threads: 1)
            let compiled = try OpRegistry.compile(ctx)
            let allConst = ctx.present.enumerated().allSatisfy { !$0.element || ctx.consts[$0.offset] != nil }
            if let outs = compiled.constOutputs {
                for (o, c) in zip(node.outputs, outs) where !o.isEmpty { graph.consts[o] = c }
                continue
            }
            if allConst && !node.inputs.isEmpty && foldable(node.op) {
                let values = try evaluate(compiled, ctx)
                let intTyped = OpRegistry.intPreserving.contains(node.op)
                    && ctx.consts.enumerated().allSatisfy { !ctx.has($0.offset) || $0.element?.ints != nil }
                for (k, o) in node.outputs.enumerated() where !o.isEmpty && k < values.count {
                    graph.consts[o] = intTyped ? Const(shape: compiled.outShapes[k], ints: values[k].map { Int($0) })
                                               : Const(shape: compiled.outShapes[k], floats: values[k])
                }
                continue
            }
            guard compiled.outShapes.count >= node.outputs.filter({ !$0.isEmpty }).count else {
                throw InferenceError.invalidNode(op: node.op, node: node.name,
                                                 expected: "at most \(compiled.outShapes.count) outputs", found: "\(node.outputs.count)")
            }
            for (k, o) in node.outputs.enumerated() where !o.isEmpty { shapes[o] = compiled.outShapes[k] }
            kept.append(node)
        }
        graph.nodes = kept
        graph.shapes = shapes
    }

    /// Ops that must not be folded even with constant inputs (none today; kept explicit).
    static func foldable(_ op: String) -> Bool { true }

    /// The compile context of `node` given what is known so far.
    static func context(_ node: Node, _ consts: [String: Const], _ shapes: [String: [Int]], threads: Int) throws -> OpContext {
        var inShapes: [[Int]] = [], cs: [Const?] = [], present: [Bool] = []
        for name in node.inputs {
            if name.isEmpty {
                inShapes.append([]); cs.append(nil); present.append(false)
            } else if let c = consts[name] {
                inShapes.append(c.shape); cs.append(c); present.append(true)
            } else if let s = shapes[name] {
                inShapes.append(s); cs.append(nil); present.append(true)
            } else {
                throw InferenceError.unknownTensor(name: name, known: Array(shapes.keys).sorted())
            }
        }
        return OpContext(node: node, inShapes: inShapes, consts: cs, present: present, threads: threads)
    }

    /// Runs a compiled op on constant inputs (load time only: allocates freely).
    static func evaluate(_ op: CompiledOp, _ ctx: OpContext) throws -> [[Float]] {
        let inputs: [[Float]] = ctx.consts.map { $0?.floats ?? [0] }
        var ins: [UnsafeMutablePointer<Float>] = []
        for v in inputs {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, v.count))
            p.initialize(repeating: 0, count: max(1, v.count))
            if !v.isEmpty { p.update(from: v, count: v.count) }
            ins.append(p)
        }
        let outs = op.outShapes.map { s -> UnsafeMutablePointer<Float> in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, product(s)))
            p.initialize(repeating: 0, count: max(1, product(s)))
            return p
        }
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(1, op.scratchCount))
        defer {
            ins.forEach { $0.deallocate() }
            outs.forEach { $0.deallocate() }
            scratch.deallocate()
        }
        op.kernel(ins.map { UnsafePointer($0) }, outs, scratch)
        return zip(op.outShapes, outs).map { s, p in Array(UnsafeBufferPointer(start: p, count: product(s))) }
    }
}
