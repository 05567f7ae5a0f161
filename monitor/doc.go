// Package monitor watches a deployed classifier on the device: it compares
// what each camera sees (input drift), what the model says (output drift)
// and what the model's penultimate layer computes (embedding drift) with a
// reference profile, follows online accuracy from feedback labels or
// estimates it from confidence, notices broken cameras, raises and clears
// alarms with hysteresis, and decides which frames to capture for
// retraining (package monitor/capture).
//
// The package does no I/O. The agent feeds it one Frame per result with
// Monitor.Observe and publishes, stores and exports what comes back:
// events (Event, snake_case JSON), captured samples and snapshots for
// metrics and the status page. Steady-state Observe allocates nothing; it
// allocates only when an alarm changes state or a sample is captured.
//
// # Windows and references
//
// Every drift test compares a sliding window of the last Config.Window
// results of one camera with that camera's reference profile. A
// reference comes from a Profile (a JSON file, for example shipped in a
// model bundle) or is learned from the camera's first Config.WarmUp
// results. Tests run on every result once the window is full.
//
// # Hysteresis
//
// An alarm raises after its score has been at or above the raise
// threshold for Config.Persist consecutive evaluations, and clears after
// the score has been at or below the (lower) clear threshold for as many;
// in between nothing changes. docs/monitoring.md lists every test, its
// score and its default thresholds.
package monitor
