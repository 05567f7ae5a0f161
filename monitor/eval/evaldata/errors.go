package evaldata

import "errors"

var (
	// ErrTruthFile marks a ground_truth.tsv that cannot be used; the
	// message names the line and what is wrong.
	ErrTruthFile = errors.New("bad ground-truth file")
	// ErrDataSet marks a data set argument that names nothing evaluable.
	ErrDataSet = errors.New("bad data set")
)
