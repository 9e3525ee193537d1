// NPY: read and write NumPy .npy files (format versions 1-3).
// Reads float32, float64, int64, int32, uint8 and bool (converted to Float); writes float32,
// little-endian, C order.

import Foundation

public enum NPY {
    public static func read(path: String) throws -> Tensor {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InferenceError.npy(path: path, reason: "cannot read file")
        }
        return try read(bytes: [UInt8](data), path: path)
    }

    public static func read(bytes: [UInt8], path: String = "<bytes>") throws -> Tensor {
        func fail(_ why: String) -> InferenceError { .npy(path: path, reason: why) }
        guard bytes.count >= 10, bytes[0] == 0x93, bytes[1...5].elementsEqual(Array("NUMPY".utf8)) else {
            throw fail("not an .npy file (bad magic)")
        }
        let major = bytes[6]
        var headerLen: Int
        var offset: Int
        if major == 1 {
            headerLen = Int(bytes[8]) | Int(bytes[9]) << 8
            offset = 10
        } else {
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLen = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            offset = 12
        }
        guard offset + headerLen <= bytes.count else { throw fail("truncated header") }
        let header = String(decoding: bytes[offset..<(offset + headerLen)], as: UTF8.self)
        offset += headerLen

        guard let descr = field(header, "descr"), let shapeText = field(header, "shape") else {
            throw fail("header without descr/shape: \(header)")
        }
        if field(header, "fortran_order")?.hasPrefix("True") == true {
            throw fail("fortran_order arrays are not supported")
        }
        let dtype = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        let inner = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let v = Int(t), v >= 0 else { throw fail("bad shape \(shapeText)") }
            shape.append(v)
        }
        let count = shape.reduce(1, *)
        let itemSize: Int
        switch dtype {
        case "<f4", "<i4": itemSize = 4
        case "<f8", "<i8": itemSize = 8
        case "|u1", "|b1", "|i1": itemSize = 1
        default: throw fail("unsupported dtype \(dtype) (expected <f4, <f8, <i8, <i4, |u1, |b1)")
        }
        guard bytes.count - offset >= count * itemSize else {
            throw fail("truncated data: expected \(count * itemSize) bytes, found \(bytes.count - offset)")
        }
        var out = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + offset
            switch dtype {
            case "<f4":
                out.withUnsafeMutableBytes { dst in
                    dst.copyMemory(from: UnsafeRawBufferPointer(start: base, count: count * 4))
                }
            case "<f8":
                for i in 0..<count { out[i] = Float(base.loadUnaligned(fromByteOffset: i * 8, as: Double.self)) }
            case "<i8":
                for i in 0..<count { out[i] = Float(base.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)) }
            case "<i4":
                for i in 0..<count { out[i] = Float(base.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)) }
            case "|i1":
                for i in 0..<count { out[i] = Float(base.load(fromByteOffset: i, as: Int8.self)) }
            default:
                for i in 0..<count { out[i] = Float(base.load(fromByteOffset: i, as: UInt8.self)) }
            }
        }
        return Tensor(shape: shape, data: out)
    }

    /// Encodes `t` as a version-1 float32 .npy file.
    public static func encode(_ t: Tensor) -> [UInt8] {
        let shapeText: String
        switch t.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(t.shape[0]),)"
        default: shapeText = "(" + t.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        // total header (10 + len + newline) padded to a multiple of 64
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let len = header.utf8.count
        out += [UInt8(len & 0xff), UInt8(len >> 8)]
        out += Array(header.utf8)
        t.data.withUnsafeBytes { out += $0 }
        return out
    }

    public static func write(_ t: Tensor, to path: String) throws {
        let bytes = encode(t)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw InferenceError.npy(path: path, reason: "cannot write file")
        }
    }

    /// The text after `'key':` in a Python dict literal header, up to the next top-level comma.
    private static func field(_ header: String, _ key: String) -> String? {
        guard let r = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var value = ""
        for ch in header[r.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1; if depth < 0 { break } }
            if (ch == "," || ch == "}") && depth == 0 { break }
            value.append(ch)
        }
        if depth == 0 && value.contains("(") { value += "" }
        return value.trimmingCharacters(in: .whitespaces)
    }
}
