// ConvGeometry: the shapes of one 2-D convolution (NCHW input, OIHW weights).
// 1-D convolutions are run as 2-D with H = 1.

struct ConvGeometry {
    var n = 1, c = 1, h = 1, w = 1       // input
    var m = 1, oh = 1, ow = 1            // output channels and size
    var kh = 1, kw = 1
    var sh = 1, sw = 1                   // strides
    var dh = 1, dw = 1                   // dilations
    var padTop = 0, padLeft = 0, padBottom = 0, padRight = 0
    var group = 1

    var cg: Int { c / group }             // input channels per group
    var mg: Int { m / group }             // output channels per group
    var kSize: Int { cg * kh * kw }       // GEMM depth
    var outPlane: Int { oh * ow }
    var inPlane: Int { h * w }
    var isPointwise: Bool {
        kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && padBottom == 0 && padRight == 0
    }
    var isDepthwise: Bool { group == c && group == m && group > 1 }
    var flops: Int { 2 * n * m * outPlane * kSize }
}
