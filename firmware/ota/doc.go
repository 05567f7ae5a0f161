// Package ota runs a device's model update: it takes a signed deployment,
// fetches and verifies the bundle, tests the candidate model, runs it in
// the shadow of the active one, activates it, watches it on probation, and
// commits it or rolls back, on its own and with the reason.
//
//	           deployment (signed, newer id, for this device)
//	                 │
//	idle ──► downloading ──► verifying ──► staged ──► self_test ──► shadow
//	              │              │            │           │           │
//	              └──────────────┴────────────┴───────────┴───────────┴──► failed
//	                                                                  │   (running model untouched)
//	                                                                  ▼
//	   committed ◄── probation ◄── activating ◄───────────────────────┘
//	                     │              │
//	                     └──────────────┴──► rolling_back ──► rolled_back
//	                                                          (previous model active again)
//
// Every transition is written to <data_dir>/ota/state.json (write a
// temporary file, fsync, rename, fsync the directory) before the step it
// starts, so a process killed at any point resumes where it was: a
// download resumes, verification and the self-test run again, a shadow run
// starts over, an interrupted activation finishes or an interrupted
// rollback completes; a restart during probation counts against the
// candidate (MaxProbationRestarts) because a crash may be its fault. The
// model the agent starts with is decided by package store
// (store.Resolve), which only ever names a verified, installed version.
//
// The machine reaches the outside through small interfaces: a Fetcher
// (HTTP or MQTT transport), a Host (the agent's model holder: activate,
// shadow), and Publish (the retained fovea/<device>/ota status).
package ota
