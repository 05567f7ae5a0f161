//go:build !arm64 || purego

package kernels

// The arm64 ADD kernels are never called here: addFlatSIMD runs them only
// when an arm64 path is active.

func addQuantU8NEON(x, y, out *byte, n int, p *int32) {
	mustHave(PathNEON)
}

func addQuantI8NEON(x, y, out *byte, n int, p *int32) {
	mustHave(PathNEON)
}
