package fetch

import "errors"

var (
	// ErrSource reports a Source that cannot be fetched as given (no URL or
	// transfer id, bad hash, non-positive size, unknown scheme).
	ErrSource = errors.New("invalid source")
	// ErrUnreachable reports a server or broker that could not be reached
	// (or kept failing) within the retries allowed.
	ErrUnreachable = errors.New("source unreachable")
	// ErrNotFound reports a server that answered 404 or 410 for the URL.
	ErrNotFound = errors.New("not found on the server")
	// ErrHTTPStatus reports any other HTTP status the fetcher cannot use.
	ErrHTTPStatus = errors.New("unexpected HTTP status")
	// ErrUntrusted reports a TLS server whose certificate the configured CA
	// bundle does not vouch for.
	ErrUntrusted = errors.New("server certificate not trusted")
	// ErrSizeMismatch reports a file whose size differs from the size the
	// deployment announced (the server sent more, or announced another
	// length).
	ErrSizeMismatch = errors.New("size differs from the announced size")
	// ErrHashMismatch reports a complete file whose SHA-256 differs from the
	// announced one. The partial file is removed: the next try starts over.
	ErrHashMismatch = errors.New("sha256 differs from the announced hash")
	// ErrDiskSpace reports too little free space for the download plus the
	// reserve kept for the outbox.
	ErrDiskSpace = errors.New("not enough free disk space")
	// ErrMalformed reports a chunk, manifest or request message that does
	// not decode.
	ErrMalformed = errors.New("malformed transfer message")
	// ErrManifestMismatch reports a transfer manifest that does not describe
	// the file the deployment announced (size or hash differ).
	ErrManifestMismatch = errors.New("transfer manifest does not match the deployment")
	// ErrStalled reports an MQTT transfer that received nothing for longer
	// than the stall timeout: no chunk server answers for it.
	ErrStalled = errors.New("transfer stalled")
)
