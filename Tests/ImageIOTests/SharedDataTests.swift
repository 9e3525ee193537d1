// Full-size real frames from ../shared/data (Udacity, BDD100K, nuScenes JPEGs; KITTI PNGs),
// against djpeg / Pillow checksums committed in fixtures/images/shared_oracle.json.
// Skipped with a message when ../shared/data is absent (a user's fresh machine).

import FixtureChecksum
import Foundation
import Testing
@testable import ImageIO

@Suite struct SharedDataTests {
    @Test(.enabled(if: Fixtures.sharedDataAvailable, "../shared/data not present: real full-size frames not checked"))
    func fullSizeFramesMatchOracle() throws {
        let data = try Data(contentsOf: Fixtures.images.appendingPathComponent("shared_oracle.json"))
        let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let entries = root["entries"] as? [[String: Any]] ?? []
        var checked = 0
        for e in entries {
            let file = e["file"] as? String ?? ""
            let url = Fixtures.sharedData.appendingPathComponent(file)
            guard let bytes = try? [UInt8](Data(contentsOf: url)) else { continue }
            let w = e["width"] as? Int ?? 0, h = e["height"] as? Int ?? 0
            let image = try decodeImage(bytes, options: DecodeOptions(targetWidth: w, targetHeight: h))
            #expect(image.width == w && image.height == h, "\(file)")
            #expect(poly64(image.pixels) == e["poly64"] as? String, "\(file) scale 1/\(e["scale"] ?? 1)")
            checked += 1
        }
        #expect(checked > 0)
    }

    /// Every image file under ../shared/data decodes (or fails with a typed error); none crash.
    @Test(.enabled(if: Fixtures.sharedDataAvailable, "../shared/data not present: shared images not scanned"))
    func everySharedImageDecodes() throws {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: Fixtures.sharedData.path) else { return }
        var decoded = 0
        var failures: [String] = []
        for case let path as String in walker {
            let lower = path.lowercased()
            guard lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") || lower.hasSuffix(".png") else { continue }
            guard decoded + failures.count < 2000 else { break }
            let bytes = try [UInt8](Data(contentsOf: Fixtures.sharedData.appendingPathComponent(path)))
            do {
                let image = try decodeImage(bytes, options: DecodeOptions(targetWidth: 320, targetHeight: 180))
                #expect(image.pixels.count == image.width * image.height * 3)
                decoded += 1
            } catch {
                failures.append("\(path): \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures)")
        #expect(decoded > 0)
    }
}
