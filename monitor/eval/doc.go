// Package eval is Fovea's offline evaluation: it takes one record per
// labelled image (the true class, the model's ranked classes with their
// scores, the latency and the slices the image belongs to) and computes
// what a release needs to know about a model: top-1 and top-5 accuracy
// with Wilson confidence intervals, per-class precision, recall and F1, a
// sparse confusion matrix, calibration (expected calibration error and the
// reliability diagram), accuracy per slice, the latency distribution and,
// for two models run on the same images, McNemar's paired test and the
// images on which they disagree.
//
// The package does no I/O of its own except writing the reports it builds
// (JSON, a self-contained HTML page with SVG plots, a terminal table) to
// the io.Writer it is given; package monitor/eval/evaldata reads data sets
// and runs the models. The JSON report (Report, "v": 1) is the contract
// with the OTA gates and release manifests; docs/eval.md describes it.
package eval
