// Package stats holds the distribution comparisons Fovea's monitor uses to
// tell a window of recent values from a reference: population stability
// index, Pearson's chi-square with its p-value, and a binned two-sample
// Kolmogorov–Smirnov distance, plus the binning they share (quantile edges
// learned from a reference, fixed-width bins on a known range).
//
// Every function works on caller-owned slices and allocates nothing, so the
// monitor can run them on every frame.
package stats
