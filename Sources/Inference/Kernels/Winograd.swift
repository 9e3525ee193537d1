// Winograd F(2x2, 3x3) convolution (stub until the fast path lands).

enum Winograd {
    struct Plan { var scratch: Int }
    static func plan(_ g: ConvGeometry) -> Plan? { nil }
    static func transformWeights(_ g: ConvGeometry, _ w: [Float]) -> FloatStore { FloatStore(w) }
    static func conv(_ p: Plan, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                     _ y: UnsafeMutablePointer<Float>, _ act: Activation, scratch: UnsafeMutablePointer<Float>,
                     threads: Int) {}
}
