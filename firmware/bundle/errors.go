package bundle

import (
	"errors"

	"github.com/fovea-edge/fovea/firmware/sign"
)

var (
	// ErrNotBundle marks a file that does not start with the bundle magic.
	ErrNotBundle = errors.New("not a Fovea model bundle (bad magic): build one with `fovea bundle create`")
	// ErrTruncated marks a bundle that ends before its last member does.
	ErrTruncated = errors.New("bundle is truncated: the download was cut short; fetch it again")
	// ErrTooLarge marks a manifest or member beyond Limits.
	ErrTooLarge = errors.New("bundle exceeds a size limit")
	// ErrManifest marks a manifest that is not valid (after its signature
	// checked out, or in Inspect).
	ErrManifest = errors.New("invalid bundle manifest")
	// ErrMismatch marks members that do not match the manifest: missing,
	// extra, renamed, reordered or resized.
	ErrMismatch = errors.New("bundle members do not match the manifest")
	// ErrHash marks a member whose sha256 differs from the manifest's.
	ErrHash = errors.New("bundle member sha256 does not match the manifest")
	// ErrDowngrade marks a bundle whose version is not newer than the
	// installed one, without a signed deployment that allows it.
	ErrDowngrade = errors.New("bundle version is not newer than the installed model (downgrade refused; a signed deployment with allow_downgrade permits it)")
	// ErrAgentTooOld marks a bundle that needs a newer agent.
	ErrAgentTooOld = errors.New("bundle needs a newer Fovea agent: update the agent first")

	// ErrUnknownKey and ErrBadSignature are sign's sentinels, re-exported
	// so that callers of this package need not import sign to test them.
	ErrUnknownKey   = sign.ErrUnknownKey
	ErrBadSignature = sign.ErrBadSignature
)
