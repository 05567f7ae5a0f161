// Package mqttsync syncs the agent with an MQTT broker: it drains the
// durable outbox (package outbox) to the results topic with at-least-once
// delivery, publishes a retained online/offline status (offline is the Last
// Will) and periodic telemetry, and answers commands.
//
// # Topics
//
// Under a prefix (default "fovea/<device-id>/"): results, metrics, status
// (retained), cmd/<name> (in) and cmd/<name>/reply (out). Payloads are
// versioned JSON (field "v"); results batches may be gzip-compressed.
//
// # Delivery
//
// A batch is acked (deleted) in the outbox only after the broker's PUBACK.
// With MQTT 5 a PUBACK reason code of 0x80 or above means not delivered:
// the records stay, the health state becomes "rejected", and the batch is
// retried with back-off. Every result carries the outbox sequence, so
// consumers drop duplicates by (device_id, seq). MQTT 5 is the default
// because MQTT 3.1.1 has no PUBACK reason codes: mosquitto acknowledges and
// silently drops a QoS 1 publish its ACL denies.
//
// # Clients
//
// Client has two implementations: MQTT 5 (github.com/eclipse/paho.golang
// autopaho) and MQTT 3.1.1 (github.com/eclipse/paho.mqtt.golang).
package mqttsync
