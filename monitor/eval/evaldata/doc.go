// Package evaldata reads the labelled data sets that fovea eval runs on —
// a folder with one subfolder per class, a folder with a ground_truth.tsv,
// or the synthetic scene — and runs infer.Classifiers over them, turning
// each image into the eval.Samples that package monitor/eval measures.
//
// Images are decoded and classified exactly as fovea classify does
// (imgio.DecodeFile, then infer.Classifier.Classify), so the accuracy eval
// reports is the accuracy classify gives.
package evaldata
