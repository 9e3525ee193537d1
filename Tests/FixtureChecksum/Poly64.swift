// The image fixtures' checksum, shared by the test targets that check pixels against
// fixtures/images/manifest.json (tools/gen_image_fixtures.py computes the same).

/// poly64: sum((b_i + 1) * P^i) mod 2^64 over the bytes, as 16 hex digits.
public func poly64(_ bytes: [UInt8]) -> String {
    let p: UInt64 = 1_099_511_628_211
    var h: UInt64 = 0, power: UInt64 = 1
    for b in bytes {
        h = h &+ (UInt64(b) &+ 1) &* power
        power = power &* p
    }
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}
