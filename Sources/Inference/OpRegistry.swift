// OpRegistry: op type -> compiler. The one place that lists what the engine supports.

enum OpRegistry {
    static func compile(_ ctx: OpContext) throws -> CompiledOp {
        switch ctx.node.op {
        case "Conv": return try compileConv(ctx)
        case "ConvTranspose": return try compileConvTranspose(ctx)
        case "BatchNormalization": return try compileBatchNorm(ctx)
        case "Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Clip": return try compileUnary(ctx)
        case "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "PRelu":
            if ctx.node.op == "Max" || ctx.node.op == "Min", ctx.present.filter({ $0 }).count != 2 {
                throw ctx.unsupported("Max/Min with other than two inputs")
            }
            return try compileBinary(ctx)
        case "Sum":
            guard ctx.present.filter({ $0 }).count == 2 else { throw ctx.unsupported("Sum with other than two inputs") }
            return try compileBinary(ctx)
        case "Exp", "Log", "Sqrt", "Neg", "Abs", "Reciprocal", "Erf", "Floor", "Ceil": return try compileMath(ctx)
        case "Softmax", "LogSoftmax": return try compileSoftmax(ctx)
        case "MaxPool", "AveragePool": return try compilePool(ctx)
        case "GlobalAveragePool", "GlobalMaxPool": return try compileGlobalPool(ctx)
        case "Resize", "Upsample": return try compileResize(ctx)
        case "MatMul": return try compileMatMul(ctx)
        case "Gemm": return try compileGemm(ctx)
        case "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Cast": return try compileReshape(ctx)
        case "Transpose": return try compileTranspose(ctx)
        case "Slice": return try compileSlice(ctx)
        case "Concat": return try compileConcat(ctx)
        case "Split": return try compileSplit(ctx)
        case "Expand": return try compileExpand(ctx)
        case "Gather": return try compileGather(ctx)
        case "Shape": return try compileShape(ctx)
        case "ConstantOfShape": return try compileConstantOfShape(ctx)
        case "ReduceMax", "ReduceMin", "ReduceMean", "ReduceSum": return try compileReduce(ctx)
        case "GRU": return try compileGRU(ctx)
        case "_Attention": return try compileAttention(ctx)   // made by GraphOptimizer.fuseAttention
        default: throw InferenceError.unsupportedOp(op: ctx.node.op, node: ctx.node.name)
        }
    }

    /// Ops whose integer inputs give integer outputs when folded.
    static let intPreserving: Set<String> = [
        "Add", "Sub", "Mul", "Div", "Max", "Min", "Neg", "Abs", "Reshape", "Flatten", "Squeeze", "Unsqueeze",
        "Identity", "Concat", "Slice", "Gather", "Expand", "Transpose", "Split", "ReduceMax", "ReduceMin", "ReduceSum",
    ]
}
