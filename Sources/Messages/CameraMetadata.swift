// The camera as recorded in a drive log's metadata line.

/// Pinhole intrinsics (pixels) with radial/tangential distortion (OpenCV k1 k2 p1 p2 k3),
/// and the mounting: height above ground (m) and pitch (rad, positive = looking down).
public struct CameraMetadata: Sendable, Equatable, Codable {
    public var name: String
    public var width: Int
    public var height: Int
    public var fx: Double, fy: Double, cx: Double, cy: Double
    public var distortion: [Double]
    public var mountHeightM: Double
    public var pitchRad: Double
    public init(name: String, width: Int, height: Int, fx: Double, fy: Double, cx: Double, cy: Double,
                distortion: [Double] = [], mountHeightM: Double, pitchRad: Double) {
        self.name = name; self.width = width; self.height = height
        self.fx = fx; self.fy = fy; self.cx = cx; self.cy = cy
        self.distortion = distortion; self.mountHeightM = mountHeightM; self.pitchRad = pitchRad
    }
}
