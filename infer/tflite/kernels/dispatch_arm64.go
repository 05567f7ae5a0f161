//go:build arm64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// x/sys/cpu reads the features from the kernel's HWCAP: ASIMD (Advanced
// SIMD, every arm64 Linux CPU) and ASIMDDP (the SDOT/UDOT dot product
// instructions of Armv8.2: Cortex-A76/A78 of the Pi 5 and Jetson Orin,
// not the Pi 4's Cortex-A72).
var (
	cpuNEON    = cpu.ARM64.HasASIMD
	cpuDotprod = cpu.ARM64.HasASIMD && cpu.ARM64.HasASIMDDP
)
