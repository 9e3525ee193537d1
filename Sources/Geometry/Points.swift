// Small point types: pixels (x right, y down, frame pixels) and points on the ground in the vehicle
// frame (x forward, y left, metres; z = 0 is the road).

/// A point in frame pixel coordinates (x right, y down).
public struct PixelPoint: Sendable, Equatable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
}

/// A point on the road in the vehicle frame (x forward, y left), metres.
public struct GroundPoint: Sendable, Equatable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }

    public func distance(to o: GroundPoint) -> Double { ((x - o.x) * (x - o.x) + (y - o.y) * (y - o.y)).squareRoot() }
    public var range: Double { (x * x + y * y).squareRoot() }
}
