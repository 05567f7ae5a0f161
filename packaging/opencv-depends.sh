#!/bin/sh
# opencv-depends.sh BINARY NFPM_YAML: print NFPM_YAML with a depends list
# naming the Debian packages that hold the shared libraries BINARY links
# (the OpenCV build's libopencv-*, found with ldd and dpkg -S on the board
# that built it), so that the .deb installs them. Used by make deb-opencv.
set -eu
bin=$1
conf=$2
libs=$(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
[ -n "$libs" ] || { echo "opencv-depends.sh: $bin links no shared libraries: was it built with cgo and -tags opencv?" >&2; exit 1; }
cat "$conf"
echo
echo "depends:"
for lib in $libs; do
	# dpkg -S knows the path it installed, which may be /usr/lib/... where
	# ldd says /lib/... (merged /usr).
	dpkg -S "$lib" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null ||
		{ echo "opencv-depends.sh: no package holds $lib" >&2; exit 1; }
done | cut -d: -f1 | sort -u | sed 's/^/  - /'
