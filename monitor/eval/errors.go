package eval

import "errors"

var (
	// ErrVersion is returned by ReadJSON for a report of another format
	// version.
	ErrVersion = errors.New("unsupported evaluation report version")
)
