// Flat-ground projection between frame pixels and the road in the vehicle frame.
//
// Frames: the vehicle frame has x forward, y left, z up, origin on the road directly below the
// camera (offsets to the rear axle or bumper belong to the planner's config). The camera sits at
// height h and is pitched down by `pitch` (radians, negative = looking up), no roll or yaw.
// Camera axes in the vehicle frame: forward f = (cos p, 0, -sin p), right r = (0, -1, 0),
// down d = (-sin p, 0, -cos p). A normalised undistorted image point (u, v) is the ray
// u·r + v·d + f = (cos p - v sin p, -u, -sin p - v cos p), which meets z = 0 at
// t = h / (sin p + v cos p) when that denominator is positive (below the horizon v_h = -tan p).

import Foundation
import Messages

public struct GroundCamera: Sendable, Equatable {
    public var camera: PinholeCamera
    public var mountHeightM: Double
    public var pitchRad: Double
    /// Rays must meet the ground at least this far below the horizon (sin p + v cos p >= minGrazing),
    /// which bounds the range of a projected point to about h / minGrazing.
    public var minGrazing: Double = 1e-3

    public init(camera: PinholeCamera, mountHeightM: Double, pitchRad: Double) {
        self.camera = camera; self.mountHeightM = mountHeightM; self.pitchRad = pitchRad
    }

    public init(metadata m: CameraMetadata) {
        self.init(camera: PinholeCamera(width: m.width, height: m.height, fx: m.fx, fy: m.fy, cx: m.cx, cy: m.cy,
                                        distortion: m.distortion),
                  mountHeightM: m.mountHeightM, pitchRad: m.pitchRad)
    }

    /// The same mounting seen at another image resolution (e.g. a segmentation mask's size).
    public func scaled(toWidth w: Int, height h: Int) -> GroundCamera {
        var g = self
        g.camera = camera.scaled(toWidth: w, height: h)
        return g
    }

    /// Row of the horizon in undistorted pixels (rows above it never see the road).
    public var horizonRow: Double { camera.cy - camera.fy * tan(pitchRad) }

    /// Frame pixel → point on the road. Throws `aboveHorizon` if the pixel's ray misses the road.
    public func groundPoint(of p: PixelPoint) throws(GeometryError) -> GroundPoint {
        let n = camera.undistort(p)
        return try groundPoint(u: n.u, v: n.v)
    }

    /// Normalised undistorted coordinates → point on the road.
    public func groundPoint(u: Double, v: Double) throws(GeometryError) -> GroundPoint {
        let s = sin(pitchRad), c = cos(pitchRad)
        let denom = s + v * c
        guard denom >= minGrazing else {
            throw .aboveHorizon(expectedRowBelow: horizonRow, foundRow: camera.cy + camera.fy * v)
        }
        let t = mountHeightM / denom
        return GroundPoint(x: t * (c - v * s), y: -t * u)
    }

    /// Point in the vehicle frame (z up, default on the road) → frame pixel (with distortion).
    public func pixel(of g: GroundPoint, z: Double = 0) throws(GeometryError) -> PixelPoint {
        let n = try normalised(of: g, z: z)
        return camera.distort(u: n.u, v: n.v)
    }

    /// Point in the vehicle frame → normalised undistorted coordinates (u, v).
    public func normalised(of g: GroundPoint, z: Double = 0) throws(GeometryError) -> (u: Double, v: Double) {
        let s = sin(pitchRad), c = cos(pitchRad)
        let dz = z - mountHeightM
        let depth = g.x * c - dz * s          // along the optical axis
        guard depth > 1e-6 else { throw .behindCamera(expectedDepthAbove: 1e-6, foundDepth: depth) }
        let right = -g.y
        let down = -g.x * s - dz * c
        return (right / depth, down / depth)
    }
}

