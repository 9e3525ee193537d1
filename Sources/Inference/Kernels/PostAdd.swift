// PostAdd: the Add after a conv's activation that GraphOptimizer.fusePostAdd folds into the
// conv (input 4): y += t, or y += s read nearest-upsampled by `up` (a feature pyramid's
// Add(conv, Resize-nearest-2x(s))). The C direct kernels add it in their epilogue; this runs it
// for the other conv paths, and is the naive twin the tests compare the epilogue with.
//   y: [planes, oh, ow]   s: [planes, oh / up, ow / up]

enum PostAdd {
    /// y[p][oy][ox] += s[p][oy / up][ox / up] for `planes` planes (channels x batch).
    static func add(_ y: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, planes: Int, oh: Int, ow: Int, up: Int,
                    threads: Int) {
        let sh = oh / up, sw = ow / up
        Parallel.chunks(planes, threads: threads) { lo, hi in
            for p in lo..<hi {
                let yp = y + p * oh * ow, sp = s + p * sh * sw
                if up == 1 {
                    for i in 0..<(oh * ow) { yp[i] += sp[i] }
                    continue
                }
                for oy in 0..<oh {
                    let row = sp + (oy / up) * sw, d = yp + oy * ow
                    for ox in 0..<ow { d[ox] += row[ox / up] }
                }
            }
        }
    }
}
