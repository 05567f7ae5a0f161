// Package jpeg decodes baseline and progressive JPEG files to exactly the
// pixels that Pillow 9.4 gets from libjpeg-turbo 2.1.5 with its default
// decompression settings (Debian bookworm's python3-pil):
//
//   - the accurate integer inverse DCT (jidctint.c, JDCT_ISLOW) as
//     libjpeg-turbo's x86-64 SIMD code computes it, which differs from the C
//     code only where 16-bit lanes overflow (16-bit quantisation tables,
//     or DC values run away in a scan cut short);
//   - "fancy" triangle-filter chroma upsampling for 2:1 horizontal (4:2:2),
//     2:1 vertical (4:4:0) and 2:1 both ways (4:2:0), and replication for
//     other integral ratios, as jdsample.c does;
//   - the fixed-point YCbCr to RGB tables of jdcolor.c;
//   - inter-block smoothing of progressive files whose AC coefficients are
//     not all known to full precision (jdcoefct.c's decompress_smooth_data
//     with the 5x5 window of libjpeg-turbo 2.1).
//
// Python's reference pipeline, Image.open(p).convert("RGB"), therefore gets
// the same bytes as this package, which matters when a classifier was
// trained and validated on Pillow-decoded photos.
//
// # Output
//
// Colour files decode to *image.RGBA (alpha 255). Single-component files
// decode to *image.Gray, which is what Pillow's mode "L" holds; Pillow's
// convert("RGB") of it repeats the grey value in R, G and B.
// Three-component files are YCbCr unless an Adobe APP14 marker says
// transform 0 or, without JFIF and Adobe markers, the component ids are
// 'R', 'G', 'B' (libjpeg's rules); those are copied without conversion.
//
// # Refused
//
// Four-component (CMYK, YCCK), two-component, 12-bit, lossless,
// arithmetic-coded and hierarchical files, DNL markers, and images over
// MaxPixels are refused with an error wrapping ErrUnsupported or
// ErrTooLarge before any pixel memory is allocated.
//
// # Damaged files
//
// Where libjpeg warns and carries on, so does this decoder, with the same
// pixels: a scan cut short by a marker is padded with zero bits, an
// invalid Huffman code decodes as symbol 0 after 17 bits, restart markers
// out of sequence are resynchronised as jpeg_resync_to_restart does. Where
// libjpeg stops with an error, or needs more data than the file has (which
// Pillow reports as a truncated file), this decoder returns an error:
// data ending inside a scan or, for progressive and multi-scan files,
// before the EOI marker; an unknown marker or a second scan in a
// single-scan file.
package jpeg
