//go:build !arm64 || purego

package kernels

// The arm64 paths exist only in arm64 builds without the purego tag.
const (
	cpuNEON    = false
	cpuDotprod = false
)

// The arm64 micro-kernels are never called here: no PackedFilter is
// packed for PathNEON or PathDotprod when Available() does not list them.
func gemmTileNEON(x *int16, stride uintptr, w *int16, k8 int, acc *int32) {
	mustHave(PathNEON)
}

func gemmTileDot(x *byte, stride uintptr, w *int8, k16 int, acc *int32) {
	mustHave(PathDotprod)
}

func widenNEON(dst *int16, src *int8, n int, flip uint8) {
	mustHave(PathNEON)
}

func prepS8NEON(dst, src *byte, n int, xor uint8) int {
	mustHave(PathNEON)
	return 0
}

func requantTileNEON(sums *int32, q *int32, init *int32, out *byte, rows, ostride int) {
	mustHave(PathNEON)
}
