// Overlay stage (optional, `--overlay-dir`): draws what the pipeline saw on the frame (drivable
// area and lane lines, boxes with class and track id, forecast paths, the decision as text) and
// writes it as DIR/<frame>.jpg. Passes the planned frame through unchanged.
import Foundation
import Geometry
import ImageIO
import Messages
import Planning
import Tracking

public enum OverlayError: Error, CustomStringConvertible {
    case noImage
    case write(path: String)
    public var description: String {
        switch self {
        case .noImage: return "overlay: the frame image was not kept (internal wiring)"
        case .write(let p): return "overlay: cannot write \(p)"
        }
    }
}

public struct OverlayStage {
    let directory: String
    let camera: GroundCamera?
    let quality: Int

    public init(directory: String, camera: GroundCamera?, quality: Int = 85) {
        self.directory = directory
        self.camera = camera
        self.quality = quality
    }

    static let maskColors: [RGBColor?] = [nil, RGBColor(r: 0, g: 200, b: 80), RGBColor(r: 255, g: 40, b: 40)]
    static let classColors: [ObjectClass: RGBColor] = [
        .vehicle: RGBColor(r: 255, g: 200, b: 0), .pedestrian: RGBColor(r: 255, g: 0, b: 255),
        .cyclist: RGBColor(r: 0, g: 200, b: 255), .trafficLight: RGBColor(r: 255, g: 255, b: 255),
    ]

    public func callAsFunction(_ p: PlannedFrame, _ info: FrameInfo) throws -> PlannedFrame {
        guard var image = p.perceived.image else { throw OverlayError.noImage }
        let frameWidth = Float(camera?.camera.width ?? image.width)
        let k = Float(image.width) / frameWidth          // frame pixels → image pixels
        let mask = p.perceived.mask
        try blendMask(on: &image, labels: mask.labels, maskWidth: mask.width, maskHeight: mask.height,
                      colors: Self.maskColors, alpha: 0.35)
        // Boxes: every detection thin, every confirmed track thick with its id.
        for d in p.perceived.detections {
            drawRectangle(on: &image, x1: d.box.x1 * k, y1: d.box.y1 * k, x2: d.box.x2 * k, y2: d.box.y2 * k,
                          color: RGBColor(r: 160, g: 160, b: 160), thickness: 1)
        }
        for t in p.perceived.tracks where t.isConfirmed {
            let c = Self.classColors[t.objectClass] ?? .white
            drawRectangle(on: &image, x1: t.box.x1 * k, y1: t.box.y1 * k, x2: t.box.x2 * k, y2: t.box.y2 * k, color: c, thickness: 2)
            drawLabel(on: &image, "\(t.objectClass.rawValue) \(t.id)", boxX: Int(t.box.x1 * k), boxY: Int(t.box.y1 * k), color: c, scale: 1)
        }
        // Forecast paths: a dot per horizon, projected back onto the image.
        if let cam = camera?.scaled(toWidth: image.width, height: image.height) {
            for f in p.perceived.forecasts {
                for g in f.points {
                    guard let px = try? cam.pixel(of: g) else { continue }
                    let x = Int(px.x.rounded()), y = Int(px.y.rounded())
                    fillRectangle(on: &image, x1: x - 2, y1: y - 2, x2: x + 3, y2: y + 3, color: RGBColor(r: 0, g: 255, b: 255))
                }
            }
        }
        let d = p.decision
        let text = String(format: "%@ steer %+.3f rad  accel %+.2f m/s2", d.mode.rawValue, d.steeringAngleRad, d.accelerationMps2)
        drawText(on: &image, text, x: 8, y: 8, color: .white, background: .black, scale: 2)
        if let id = d.leadTrackId, let dist = d.leadDistanceM {
            let lead = String(format: "LEAD %d AT %.1f M", id, dist) + (d.ttcS.map { String(format: " TTC %.1f S", $0) } ?? "")
            drawText(on: &image, lead, x: 8, y: 30, color: .white, background: .black, scale: 2)
        }
        let path = (directory as NSString).appendingPathComponent(String(format: "%06d.jpg", info.index))
        let bytes = try encodeJPEG(image, quality: quality)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw OverlayError.write(path: path) }
        return p
    }
}
