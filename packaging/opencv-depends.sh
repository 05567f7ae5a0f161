#!/bin/sh
# opencv-depends.sh BINARY NFPM_YAML: print NFPM_YAML with a depends list
# naming the Debian packages that hold the shared libraries BINARY needs
# directly (libopencv-*, libstdc++, libc: readelf's NEEDED entries, their
# paths from ldd, their packages from dpkg -S on the board that built it),
# so that the .deb installs them; those packages bring their own
# dependencies. Used by make deb-opencv.
set -eu
bin=$1
conf=$2
command -v readelf >/dev/null || { echo "opencv-depends.sh: readelf is missing: apt-get install binutils" >&2; exit 1; }
needed=$(readelf -d "$bin" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')
[ -n "$needed" ] || { echo "opencv-depends.sh: $bin links no shared libraries: was it built with cgo and -tags opencv?" >&2; exit 1; }
libs=$(ldd "$bin" | awk -v needed=" $(echo $needed) " '$2 == "=>" && $3 ~ /^\// && index(needed, " " $1 " ") { print $3 }')
cat "$conf"
echo
echo "depends:"
for lib in $libs; do
	# dpkg -S knows the path it installed, which may be /usr/lib/... where
	# ldd says /lib/... (merged /usr).
	dpkg -S "$lib" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null ||
		{ echo "opencv-depends.sh: no package holds $lib" >&2; exit 1; }
done | cut -d: -f1 | sort -u | sed 's/^/  - /'
