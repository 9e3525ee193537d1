// ModelLoader: ONNX protobuf bytes -> Graph. Reads initializers (raw_data or typed fields;
// float32/float64/float16 -> Float, int64/int32/bool -> exact ints), Constant nodes, fixed
// input shapes (symbolic dims become 1), node attributes.

import Foundation
import ONNXSchema
import SwiftProtobuf

/// The values of a constant ONNX tensor, decoded as the loader decodes initializers: `floats`
/// always (integers converted), `ints` when the tensor is integer-typed. nil when malformed.
public func onnxConstantValues(_ t: Onnx_TensorProto) -> (floats: [Float], ints: [Int]?)? {
    guard let c = try? ModelLoader.tensorConst(t, path: t.name) else { return nil }
    return (c.floats, c.ints)
}

enum ModelLoader {
    static func load(bytes: [UInt8], path: String) throws -> Graph {
        try load(model: parse(bytes: bytes, path: path), path: path)
    }

    static func parse(bytes: [UInt8], path: String) throws -> Onnx_ModelProto {
        do {
            return try Onnx_ModelProto(serializedBytes: bytes)
        } catch {
            throw InferenceError.malformedModel(path: path, reason: "not a valid ONNX protobuf (\(error))")
        }
    }

    static func load(model: Onnx_ModelProto, path: String) throws -> Graph {
        guard model.hasGraph, !model.graph.node.isEmpty || !model.graph.output.isEmpty else {
            throw InferenceError.malformedModel(path: path, reason: "no graph")
        }
        let opset = Int(model.opsetImport.first(where: { $0.domain.isEmpty || $0.domain == "ai.onnx" })?.version ?? 13)
        let g = model.graph
        var consts: [String: Const] = [:]
        for t in g.initializer {
            consts[t.name] = try tensorConst(t, path: path)
        }
        var inputs: [(name: String, shape: [Int])] = []
        for vi in g.input where consts[vi.name] == nil {
            guard case let .tensorType(tt)? = vi.type.value else {
                throw InferenceError.malformedModel(path: path, reason: "input '\(vi.name)' is not a tensor")
            }
            let elem = tt.elemType
            if elem != 1 {
                throw InferenceError.unsupportedDataType(tensor: vi.name, expected: "float32 (1)", found: "ONNX type \(elem)")
            }
            let dims = tt.shape.dim.map { d -> Int in
                if case let .dimValue(v)? = d.value, v > 0 { return Int(v) }
                return 1  // symbolic (batch) dimension: fixed to 1
            }
            inputs.append((vi.name, dims))
        }
        var nodes: [Node] = []
        for (i, n) in g.node.enumerated() {
            if !n.domain.isEmpty && n.domain != "ai.onnx" {
                throw InferenceError.unsupportedOp(op: "\(n.domain).\(n.opType)", node: n.name)
            }
            let name = n.name.isEmpty ? "\(n.opType)_\(i)" : n.name
            var attrs: [String: Attr] = [:]
            for a in n.attribute {
                attrs[a.name] = try attribute(a, node: name, path: path)
            }
            if n.opType == "Constant" {
                guard let out = n.output.first else { continue }
                consts[out] = try constantValue(attrs, node: name)
                continue
            }
            nodes.append(Node(op: n.opType, name: name, inputs: n.input, outputs: n.output, attrs: attrs))
        }
        return Graph(nodes: nodes, consts: consts, inputs: inputs, outputs: g.output.map { $0.name }, opset: opset)
    }

    private static func constantValue(_ attrs: [String: Attr], node: String) throws -> Const {
        switch (attrs["value"], attrs["value_float"], attrs["value_floats"], attrs["value_int"], attrs["value_ints"]) {
        case let (.tensor(t)?, _, _, _, _): return t
        case let (_, .float(f)?, _, _, _): return Const(shape: [], floats: [f])
        case let (_, _, .floats(f)?, _, _): return Const(shape: [f.count], floats: f)
        case let (_, _, _, .int(i)?, _): return Const(shape: [], ints: [i])
        case let (_, _, _, _, .ints(i)?): return Const(shape: [i.count], ints: i)
        default:
            throw InferenceError.unsupportedAttribute(op: "Constant", node: node, detail: "no value/value_float(s)/value_int(s)")
        }
    }

    private static func attribute(_ a: Onnx_AttributeProto, node: String, path: String) throws -> Attr {
        switch a.type {
        case .float: return .float(a.f)
        case .int: return .int(Int(a.i))
        case .string: return .string(String(decoding: a.s, as: UTF8.self))
        case .floats: return .floats(a.floats)
        case .ints: return .ints(a.ints.map { Int($0) })
        case .tensor: return .tensor(try tensorConst(a.t, path: path))
        case .strings: return .string(a.strings.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ","))
        default:
            // Older files may leave `type` unset: infer from the populated field.
            if !a.ints.isEmpty { return .ints(a.ints.map { Int($0) }) }
            if !a.floats.isEmpty { return .floats(a.floats) }
            if a.hasT { return .tensor(try tensorConst(a.t, path: path)) }
            if a.hasS { return .string(String(decoding: a.s, as: UTF8.self)) }
            if a.hasF { return .float(a.f) }
            if a.hasI { return .int(Int(a.i)) }
            return .ints([])  // graphs and other kinds are not used by supported ops
        }
    }

    /// Decodes a TensorProto into a Const (checking the element count against dims).
    static func tensorConst(_ t: Onnx_TensorProto, path: String) throws -> Const {
        let shape = t.dims.map { Int($0) }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw InferenceError.malformedModel(path: path, reason: "tensor '\(t.name)' has negative dims \(shape)")
        }
        if t.dataLocation == .external {
            throw InferenceError.unsupportedDataType(tensor: t.name, expected: "embedded data", found: "external data file")
        }
        let n = shape.reduce(1, *)
        let raw = t.rawData
        func check(_ found: Int) throws {
            guard found == n else {
                throw InferenceError.malformedModel(path: path, reason: "tensor '\(t.name)' has \(found) values for shape \(shape)")
            }
        }
        func rawValues<T>(_ type: T.Type) throws -> [T] {
            let size = MemoryLayout<T>.size
            try check(raw.count / size)
            guard raw.count == n * size else {
                throw InferenceError.malformedModel(path: path, reason: "tensor '\(t.name)' raw_data has \(raw.count) bytes, expected \(n * size)")
            }
            return raw.withUnsafeBytes { b in (0..<n).map { b.loadUnaligned(fromByteOffset: $0 * size, as: T.self) } }
        }
        switch t.dataType {
        case 1:  // FLOAT
            if !raw.isEmpty {
                try check(raw.count / 4)
                guard raw.count == n * 4 else {
                    throw InferenceError.malformedModel(path: path, reason: "tensor '\(t.name)' raw_data has \(raw.count) bytes, expected \(n * 4)")
                }
                var out = [Float](repeating: 0, count: n)
                out.withUnsafeMutableBytes { dst in raw.withUnsafeBytes { dst.copyMemory(from: $0) } }
                return Const(shape: shape, floats: out)
            }
            try check(t.floatData.count)
            return Const(shape: shape, floats: t.floatData)
        case 11:  // DOUBLE
            let v = raw.isEmpty ? t.doubleData : try rawValues(Double.self)
            try check(v.count)
            return Const(shape: shape, floats: v.map { Float($0) })
        case 10:  // FLOAT16
            let bits: [UInt16] = raw.isEmpty ? t.int32Data.map { UInt16(truncatingIfNeeded: $0) } : try rawValues(UInt16.self)
            try check(bits.count)
            return Const(shape: shape, floats: bits.map { Float(Float16(bitPattern: $0)) })
        case 7:  // INT64
            let v = raw.isEmpty ? t.int64Data : try rawValues(Int64.self)
            try check(v.count)
            return Const(shape: shape, ints: v.map { Int($0) })
        case 6:  // INT32
            let v = raw.isEmpty ? t.int32Data : try rawValues(Int32.self)
            try check(v.count)
            return Const(shape: shape, ints: v.map { Int($0) })
        case 9, 2, 3:  // BOOL, UINT8, INT8 (int32_data holds them when not raw)
            if raw.isEmpty {
                try check(t.int32Data.count)
                return Const(shape: shape, ints: t.int32Data.map { Int($0) })
            }
            try check(raw.count)
            return Const(shape: shape, ints: raw.map { t.dataType == 3 ? Int(Int8(bitPattern: $0)) : Int($0) })
        default:
            throw InferenceError.unsupportedDataType(tensor: t.name, expected: "float32/float64/float16/int64/int32/bool",
                                                     found: "ONNX type \(t.dataType)")
        }
    }
}
