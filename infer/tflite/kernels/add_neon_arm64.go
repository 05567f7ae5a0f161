//go:build arm64 && !purego

package kernels

// addQuantU8NEON and addQuantI8NEON compute n (a multiple of 16) elements
// of the flat quantized ADD with the parameters of addVectorsNEON
// (add_neon_arm64.s).
//
//go:noescape
func addQuantU8NEON(x, y, out *byte, n int, p *int32)

//go:noescape
func addQuantI8NEON(x, y, out *byte, n int, p *int32)
