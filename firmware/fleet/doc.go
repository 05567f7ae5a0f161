// Package fleet is the operator's side of a staged model rollout: it reads
// which devices of a group are online and where their updates stand from
// retained MQTT messages, publishes a signed deployment stage by stage,
// waits for each stage's devices to commit the new version, and halts and
// rolls the rollout back when more of a stage fails than the operator
// allows.
//
// There is no Fovea server. Everything the rollout knows lives in retained
// messages on the broker:
//
//	fovea/<device>/status            online/offline (the device's Last Will), read
//	fovea/<device>/ota               the device's update state (firmware/ota.Status), read
//	fovea/groups/<group>/deploy      the signed deployment of the current stage, written
//	fovea/groups/<group>/rollout     the rollout's own progress (State), written
//	fovea/<device>/cmd/model/rollback  sent to the devices of a halted rollout
//
// so a `fovea fleet deploy` that is stopped and started again reads State
// and resumes at the stage it was in.
//
// A device is a member of the group it names in its OTA status (field
// "group"); Options.Devices overrides that list for agents that do not
// publish it.
//
// The package imports no agent code: it talks to the broker through the
// Client interface (firmware/fetch/fetchmqtt.Conn in the CLI).
package fleet
