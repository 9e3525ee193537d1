// Reading fixtures/calibration/*.json (written by tools/calibrate_camera.py) into CameraMetadata.
// Shape: {"name", "width", "height", "fx", "fy", "cx", "cy", "distortion": [k1,k2,p1,p2,k3],
//         "mount_height_m", "pitch_rad", ...extra keys ignored}.

import Foundation
import Messages

public enum CalibrationFile {
    private struct Raw: Decodable {
        var name: String?
        var width: Int, height: Int
        var fx: Double, fy: Double, cx: Double, cy: Double
        var distortion: [Double]?
        var mount_height_m: Double
        var pitch_rad: Double
    }

    public static func load(_ url: URL) throws -> CameraMetadata {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GeometryError.badCalibration(expected: "a readable file at \(url.path)", found: "\(error)")
        }
        return try decode(data)
    }

    public static func decode(_ data: Data) throws -> CameraMetadata {
        let r: Raw
        do { r = try JSONDecoder().decode(Raw.self, from: data) } catch {
            throw GeometryError.badCalibration(
                expected: "JSON with width, height, fx, fy, cx, cy, mount_height_m, pitch_rad", found: "\(error)")
        }
        guard r.width > 0, r.height > 0, r.fx > 0, r.fy > 0 else {
            throw GeometryError.badCalibration(expected: "positive width, height, fx, fy",
                                               found: "\(r.width)x\(r.height) fx \(r.fx) fy \(r.fy)")
        }
        guard r.mount_height_m > 0, abs(r.pitch_rad) < 1.2 else {
            throw GeometryError.badCalibration(expected: "mount_height_m > 0 and |pitch_rad| < 1.2",
                                               found: "\(r.mount_height_m) m, \(r.pitch_rad) rad")
        }
        return CameraMetadata(name: r.name ?? "camera", width: r.width, height: r.height, fx: r.fx, fy: r.fy,
                              cx: r.cx, cy: r.cy, distortion: r.distortion ?? [], mountHeightM: r.mount_height_m,
                              pitchRad: r.pitch_rad)
    }
}
