// Package bundle reads and writes Fovea model bundles: one file that holds
// a .tflite model, its labels, test vectors and a signed manifest.
//
// # Layout
//
// All integers are big-endian.
//
//	magic      8 bytes  "FOVEAB\x00\x01" (format 1)
//	mlen       uint32   length of the manifest, 1 … Limits.Manifest
//	manifest   mlen     JSON (Manifest), the exact bytes that are signed
//	signature  64       Ed25519 over sign.Message("fovea bundle manifest v1", manifest)
//	members, in the order of manifest.files, each:
//	  nlen     uint8    length of the name
//	  name     nlen     the member name, equal to files[i].name
//	  size     uint64   equal to files[i].size
//	  data     size     bytes whose sha256 is files[i].sha256
//	end of file         nothing may follow the last member
//
// The signature covers the manifest bytes exactly as stored, not a
// re-encoding: a verifier checks the signature before it parses anything,
// and there is no canonical-JSON rule (key order, number formats, Unicode
// escapes) on which signer and verifier could disagree. The manifest in turn
// pins every member by name, size and sha256, so one signature covers the
// whole bundle. The key id inside the manifest is covered too, so a bundle
// cannot be re-attributed to another key.
//
// Reading is streaming: the manifest (bounded by Limits.Manifest) is the
// only part held in memory; members pass through sha256 on their way to a
// file or to nowhere, with their sizes taken from the already verified
// manifest and bounded by Limits. Verify and Extract return the first
// problem as an error wrapping one of the sentinels below.
package bundle
