//go:build !amd64 || purego

package kernels

// Only the generic Go path exists on this architecture or build.
const (
	cpuAVX2 = false
	cpuVNNI = false
)

// gemmTileAVX2 and gemmTileVNNI are never called here: no PackedFilter is
// packed for a SIMD path when Available() does not list it.
func gemmTileAVX2(x *int16, stride uintptr, w *int16, kp int, acc *int32) {
	panic("kernels: AVX2 path called on a build without it")
}

func gemmTileVNNI(x *int16, stride uintptr, w *int16, kp int, acc *int32) {
	panic("kernels: VNNI path called on a build without it")
}
