// Package layering holds no code: its test checks that every package of
// the module imports only what its layer allows (see docs/architecture.md).
package layering
