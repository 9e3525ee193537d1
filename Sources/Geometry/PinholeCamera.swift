// The camera's intrinsics and lens distortion (OpenCV's model: k1 k2 p1 p2 k3), and the maps
// between frame pixels and normalised, undistorted image coordinates (u = X/Z, v = Y/Z).

/// Pinhole intrinsics (pixels) with OpenCV radial/tangential distortion.
public struct PinholeCamera: Sendable, Equatable {
    public var width: Int, height: Int
    public var fx: Double, fy: Double, cx: Double, cy: Double
    public var k1: Double, k2: Double, p1: Double, p2: Double, k3: Double

    public init(width: Int, height: Int, fx: Double, fy: Double, cx: Double, cy: Double, distortion: [Double] = []) {
        self.width = width; self.height = height
        self.fx = fx; self.fy = fy; self.cx = cx; self.cy = cy
        let d = distortion + Array(repeating: 0, count: max(0, 5 - distortion.count))
        k1 = d[0]; k2 = d[1]; p1 = d[2]; p2 = d[3]; k3 = d[4]
    }

    /// The same lens seen at another resolution (for masks at the network's input size).
    public func scaled(toWidth w: Int, height h: Int) -> PinholeCamera {
        let sx = Double(w) / Double(width), sy = Double(h) / Double(height)
        // Pixel centres: a pixel index i covers [i, i+1); scale about the corner, OpenCV-style.
        return PinholeCamera(width: w, height: h, fx: fx * sx, fy: fy * sy, cx: cx * sx, cy: cy * sy,
                             distortion: [k1, k2, p1, p2, k3])
    }

    /// Apply the lens distortion to normalised undistorted coordinates (OpenCV's forward model).
    public func distortNormalised(u: Double, v: Double) -> (u: Double, v: Double) {
        let r2 = u * u + v * v
        let radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3))
        let du = 2 * p1 * u * v + p2 * (r2 + 2 * u * u)
        let dv = p1 * (r2 + 2 * v * v) + 2 * p2 * u * v
        return (u * radial + du, v * radial + dv)
    }

    /// Invert the distortion by fixed-point iteration (OpenCV's undistortPoints scheme), iterated to
    /// convergence (|step| < 1e-14) or 50 rounds; the lenses here converge in about 10.
    public func undistortNormalised(u ud: Double, v vd: Double) -> (u: Double, v: Double) {
        var u = ud, v = vd
        for _ in 0..<50 {
            let r2 = u * u + v * v
            let radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3))
            let du = 2 * p1 * u * v + p2 * (r2 + 2 * u * u)
            let dv = p1 * (r2 + 2 * v * v) + 2 * p2 * u * v
            let nu = (ud - du) / radial, nv = (vd - dv) / radial
            let step = abs(nu - u) + abs(nv - v)
            u = nu; v = nv
            if step < 1e-14 { break }
        }
        return (u, v)
    }

    /// Frame pixel → normalised undistorted coordinates.
    public func undistort(_ p: PixelPoint) -> (u: Double, v: Double) {
        undistortNormalised(u: (p.x - cx) / fx, v: (p.y - cy) / fy)
    }

    /// Normalised undistorted coordinates → frame pixel.
    public func distort(u: Double, v: Double) -> PixelPoint {
        let d = distortNormalised(u: u, v: v)
        return PixelPoint(x: fx * d.u + cx, y: fy * d.v + cy)
    }

    /// Undistorted pixel position (the pixel an ideal pinhole camera with the same K would see).
    public func undistortPixel(_ p: PixelPoint) -> PixelPoint {
        let n = undistort(p)
        return PixelPoint(x: fx * n.u + cx, y: fy * n.v + cy)
    }
}
