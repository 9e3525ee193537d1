// Geometry: undistortion and ground projection against OpenCV and an independent numpy
// ray-plane intersection (fixtures/calibration/udacity_reference_points.json, from
// tools/calibrate_camera.py), round trips, and a known pinhole geometry.

import Foundation
import Geometry
import Testing

private struct Reference: Decodable {
    var pixels: [[Double]]
    var undistorted_normalised: [[Double]]
    var ground_of_pixels: [[Double?]]
    var ground_points: [[Double]]
    var pixels_of_ground_points: [[Double]]
}

@Test func calibrationFileLoads() throws {
    let m = try CalibrationFile.load(Fixtures.url("fixtures/calibration/udacity_1280x720.json"))
    #expect(m.width == 1280 && m.height == 720)
    #expect(m.fx > 1000 && m.fx < 1300)
    #expect(m.distortion.count == 5)
    #expect(m.mountHeightM > 1 && m.mountHeightM < 2)
    #expect(throws: GeometryError.self) { try CalibrationFile.decode(Data("{\"width\": 3}".utf8)) }
}

@Test func undistortMatchesOpenCV() throws {
    let cam = try Fixtures.udacityCamera()
    let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Fixtures.url(
        "fixtures/calibration/udacity_reference_points.json")))
    for (p, want) in zip(ref.pixels, ref.undistorted_normalised) {
        let n = cam.camera.undistort(PixelPoint(x: p[0], y: p[1]))
        #expect(abs(n.u - want[0]) < 1e-9 && abs(n.v - want[1]) < 1e-9, "pixel \(p): \(n) vs \(want)")
    }
}

@Test func groundProjectionMatchesReference() throws {
    let cam = try Fixtures.udacityCamera()
    let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Fixtures.url(
        "fixtures/calibration/udacity_reference_points.json")))
    for (p, want) in zip(ref.pixels, ref.ground_of_pixels) {
        let px = PixelPoint(x: p[0], y: p[1])
        if let wx = want[0], let wy = want[1], wx > 0, wx < 500 {
            let g = try cam.groundPoint(of: px)
            let tol = 1e-7 * max(1, wx * wx)  // ground error grows with range² for a fixed pixel error
            #expect(abs(g.x - wx) < tol && abs(g.y - wy) < tol, "pixel \(p): \(g) vs \(wx), \(wy)")
        } else if want[0] == nil {
            #expect(throws: GeometryError.self) { try cam.groundPoint(of: px) }
        }
    }
    for (g, want) in zip(ref.ground_points, ref.pixels_of_ground_points) {
        let px = try cam.pixel(of: GroundPoint(x: g[0], y: g[1]))
        #expect(abs(px.x - want[0]) < 1e-6 && abs(px.y - want[1]) < 1e-6, "ground \(g): \(px) vs \(want)")
    }
}

@Test func groundRoundTrip() throws {
    let cam = try Fixtures.udacityCamera()
    for x in stride(from: 4.0, through: 80.0, by: 4.0) {
        for y in stride(from: -8.0, through: 8.0, by: 2.0) {
            let g = GroundPoint(x: x, y: y)
            let px = try cam.pixel(of: g)
            guard px.x >= 0, px.x < 1280, px.y >= 0, px.y < 720 else { continue }
            let back = try cam.groundPoint(of: px)
            #expect(back.distance(to: g) < 1e-6 * max(1, x), "\(g) → \(px) → \(back)")
        }
    }
    // pixel → ground → pixel, below the horizon
    for row in stride(from: 460.0, through: 700.0, by: 40.0) {
        for col in stride(from: 0.0, through: 1280.0, by: 128.0) {
            let px = PixelPoint(x: col, y: row)
            let back = try cam.pixel(of: try cam.groundPoint(of: px))
            #expect(abs(back.x - px.x) < 1e-6 && abs(back.y - px.y) < 1e-6)
        }
    }
}

@Test func knownPinholeGeometry() throws {
    // No distortion, 1.5 m high, pitched down 0.1 rad: a point X ahead on the centre line is seen at
    // the angle atan(h/X) below horizontal, i.e. atan(h/X) - pitch below the optical axis.
    let pin = PinholeCamera(width: 1000, height: 600, fx: 800, fy: 800, cx: 500, cy: 300)
    let cam = GroundCamera(camera: pin, mountHeightM: 1.5, pitchRad: 0.1)
    #expect(abs(cam.horizonRow - (300 - 800 * tan(0.1))) < 1e-9)
    for x in [3.0, 10.0, 30.0] {
        let row = 300 + 800 * tan(atan(1.5 / x) - 0.1)
        let px = try cam.pixel(of: GroundPoint(x: x, y: 0))
        #expect(abs(px.y - row) < 1e-9 && abs(px.x - 500) < 1e-9)
        let g = try cam.groundPoint(of: PixelPoint(x: 500, y: row))
        #expect(abs(g.x - x) < 1e-9 && abs(g.y) < 1e-9)
    }
    // A point to the left (y > 0) appears left of centre (smaller column).
    #expect(try cam.pixel(of: GroundPoint(x: 10, y: 2)).x < 500)
    // Above the horizon: no ground; behind the camera: no image.
    #expect(throws: GeometryError.self) { try cam.groundPoint(of: PixelPoint(x: 500, y: 100)) }
    #expect(throws: GeometryError.self) { try cam.pixel(of: GroundPoint(x: -5, y: 0)) }
    // Scaling the image keeps the geometry.
    let half = cam.scaled(toWidth: 500, height: 300)
    let g = try half.groundPoint(of: PixelPoint(x: 250, y: (300 + 800 * tan(atan(1.5 / 10) - 0.1)) / 2))
    #expect(abs(g.x - 10) < 1e-9)
}
