//go:build !amd64 || purego

package kernels

// gemmRQVNNI8 and rowSums8VNNI are never called here: no PackedFilter is
// packed for the VNNI path when Available() does not list it.
func gemmRQVNNI8(rows *[8]uintptr, k4 int, w *int8, rq *int32, init *int32, out *byte, ostride, nrows, n, flags int) {
	mustHave(PathVNNI)
}

func rowSums8VNNI(rows *[8]uintptr, k int, xor uint8, sums *[8]int64) {
	mustHave(PathVNNI)
}
