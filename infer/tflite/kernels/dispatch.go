package kernels

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// Path is a family of quantized GEMM micro-kernels. Every path computes
// the same int32 accumulators and requantizes them with the same code, so
// all paths produce the same bytes; they differ only in speed.
type Path uint8

// The kernel paths, slowest first.
const (
	// PathGeneric is portable Go: three output channels per 64-bit
	// multiply (see gemm.go). It runs everywhere.
	PathGeneric Path = iota
	// PathAVX2 is amd64 assembly: VPMADDWD on sign-extended 16-bit
	// inputs and weights, 4 pixels × 16 channels per tile.
	PathAVX2
	// PathVNNI is amd64 AVX-512 assembly: VPDPWSSD (AVX-512 VNNI), 8
	// pixels × 32 channels per tile.
	PathVNNI
	// PathNEON is arm64 assembly (baseline Advanced SIMD): SMLAL/SMLAL2
	// on sign-extended 16-bit inputs and weights, 8 pixels × 8 channels
	// per tile.
	PathNEON
	// PathDotprod is arm64 assembly with the dot product extension
	// (Armv8.2 DotProd): SDOT on signed bytes, 8 pixels × 8 channels per
	// tile.
	PathDotprod
)

// EnvKernels is the environment variable that forces a kernel path
// ("generic", "avx2", "vnni", "neon" or "dotprod") for the whole process.
const EnvKernels = "FOVEA_KERNELS"

// ErrPath is returned when a forced kernel path is unknown or not
// supported by this CPU or build.
var ErrPath = errors.New("kernel path unavailable")

var pathNames = [...]string{PathGeneric: "generic", PathAVX2: "avx2", PathVNNI: "vnni", PathNEON: "neon", PathDotprod: "dotprod"}

// String returns the path's name as FOVEA_KERNELS spells it.
func (p Path) String() string {
	if int(p) < len(pathNames) {
		return pathNames[p]
	}
	return fmt.Sprintf("Path(%d)", uint8(p))
}

// ParsePath returns the path named s ("generic", "avx2", "vnni", "neon",
// "dotprod"). It does not check that the CPU supports it; SetPath does.
func ParsePath(s string) (Path, error) {
	for i, n := range pathNames {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Path(i), nil
		}
	}
	return 0, fmt.Errorf("kernels.ParsePath: %w: unknown path %q (want one of %s)", ErrPath, s, strings.Join(pathNames[:], ", "))
}

// Available returns the paths this CPU and build can run, slowest first;
// PathGeneric is always among them.
func Available() []Path {
	ps := []Path{PathGeneric}
	if cpuAVX2 {
		ps = append(ps, PathAVX2)
	}
	if cpuVNNI {
		ps = append(ps, PathVNNI)
	}
	if cpuNEON {
		ps = append(ps, PathNEON)
	}
	if cpuDotprod {
		ps = append(ps, PathDotprod)
	}
	return ps
}

// available reports whether p can run here.
func available(p Path) bool {
	switch p {
	case PathGeneric:
		return true
	case PathAVX2:
		return cpuAVX2
	case PathVNNI:
		return cpuVNNI
	case PathNEON:
		return cpuNEON
	case PathDotprod:
		return cpuDotprod
	}
	return false
}

// mustHave panics when path p cannot run here. The stubs of another
// architecture's kernels call it: no filter is packed for a path that
// Available() does not list, so they are never reached. (A stub that
// always panicked would make staticcheck treat its callers' code after
// the call as dead.)
func mustHave(p Path) {
	if !available(p) {
		panic(fmt.Sprintf("kernels: %v kernel called on a build or CPU without it", p))
	}
}

// x86 reports whether p is one of the amd64 assembly paths, whose
// depthwise, ADD and requantization kernels exist only there.
func (p Path) x86() bool { return p == PathAVX2 || p == PathVNNI }

// arm64 reports whether p is one of the arm64 assembly paths.
func (p Path) arm64() bool { return p == PathNEON || p == PathDotprod }

// Best returns the fastest available path.
func Best() Path {
	ps := Available()
	return ps[len(ps)-1]
}

var (
	active  atomic.Uint32 // the Path filters are packed for from now on
	envErr  error         // a bad FOVEA_KERNELS, reported by EnvError
	envPath bool          // FOVEA_KERNELS chose the path
)

func init() {
	active.Store(uint32(Best()))
	s, ok := os.LookupEnv(EnvKernels)
	if !ok || s == "" {
		return
	}
	p, err := ParsePath(s)
	if err == nil {
		err = SetPath(p)
	}
	if err != nil {
		envErr = fmt.Errorf("%s=%s: %w", EnvKernels, s, err)
		return
	}
	envPath = true
}

// Active returns the path that filters packed from now on will use.
func Active() Path { return Path(active.Load()) }

// Forced reports whether FOVEA_KERNELS chose the active path.
func Forced() bool { return envPath }

// EnvError returns the error of an unknown or unavailable FOVEA_KERNELS
// value (the process then runs the best available path), or nil. Loaders
// should refuse to run with it so a forced path is never silently
// replaced.
func EnvError() error { return envErr }

// SetPath selects the path for filters packed from now on (a packed filter
// keeps the path it was packed for). It fails with ErrPath when this CPU
// or build cannot run p.
func SetPath(p Path) error {
	if !available(p) {
		return fmt.Errorf("kernels.SetPath: %w: %s is not supported here (available: %s)", ErrPath, p, pathList(Available()))
	}
	active.Store(uint32(p))
	return nil
}

func pathList(ps []Path) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}
