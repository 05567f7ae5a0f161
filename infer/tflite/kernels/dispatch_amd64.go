//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// x/sys/cpu reports AVX2 and AVX-512 only when the OS saves their
// registers.
var (
	cpuAVX2 = cpu.X86.HasAVX2
	cpuVNNI = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI
)
