#!/bin/sh
# idle-cpu.sh FOVEA MODEL "FPS..." "THREADS..." SECONDS
#
# The CPU an agent uses at a given frame rate and thread count: runs
# `FOVEA run` on a synthetic camera at each FPS with MODEL and each
# thread count, waits 5 s, then reads the process's user+system CPU time
# (/proc/PID/stat) across SECONDS and prints it as a share of one core.
# `make bench-idle` runs it (docs/kernels.md, "Cost" of the pool).
set -eu
fovea=$1 model=$2 fpss=$3 threadss=$4 secs=$5
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tck=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for fps in $fpss; do
	for t in $threadss; do
		cat > "$dir/c.yaml" <<YAML
version: 1
device_id: idle-cpu
data_dir: $dir/data-$fps-$t
cameras:
  - id: cam
    uri: "synthetic:seed=1"
    fps: $fps
model:
  path: $model
  threads: $t
pipeline:
  queue_size: 2
  workers: 1
http:
  listen: 127.0.0.1:0
log:
  level: warn
YAML
		"$fovea" run --config "$dir/c.yaml" > "$dir/log" 2>&1 &
		pid=$!
		sleep 5
		a=$(cpu $pid)
		sleep "$secs"
		b=$(cpu $pid)
		kill $pid
		wait $pid 2>/dev/null || true
		awk -v a="$a" -v b="$b" -v tck="$tck" -v s="$secs" -v fps="$fps" -v t="$t" \
			'BEGIN { printf "fps=%s threads=%s cpu=%.1f%% of one core\n", fps, t, (b - a) / tck / s * 100 }'
	done
done
