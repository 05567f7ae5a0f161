package kernels

import (
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// This machine is shared, so wall-clock ns/op moves with other people's
// load. The benchmarks also report throughput over the calling thread's
// own CPU time (CLOCK_THREAD_CPUTIME_ID), which only the kernel's own work
// advances; benchmarks that use it run single-threaded (nil Pool).

const clockThreadCPUTime = 3

func threadCPU() time.Duration {
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}

// cpuMeter measures the calling thread's CPU time over a benchmark loop.
type cpuMeter struct{ start time.Duration }

func startCPU() *cpuMeter {
	runtime.LockOSThread()
	return &cpuMeter{start: threadCPU()}
}

// report adds GMAC/s over wall time and over thread CPU time.
func (m *cpuMeter) report(b *testing.B, macsPerOp float64) {
	cpu := threadCPU() - m.start
	runtime.UnlockOSThread()
	total := macsPerOp * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds()/1e9, "GMAC/s")
	if cpu > 0 {
		b.ReportMetric(total/cpu.Seconds()/1e9, "GMAC/s-cpu")
	}
}
