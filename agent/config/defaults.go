package config

import (
	"os"
	"time"

	"github.com/fovea-edge/fovea/sync/outbox"
)

// The defaults, all in one place. Zero values in a file mean "default".
const (
	DefaultDataDir    = "/var/lib/fovea"
	DefaultEngine     = "go"
	DefaultThreads    = 1
	DefaultTopK       = 5
	DefaultResize     = "pillow"
	DefaultQueueSize  = 2
	DefaultWorkers    = 1
	DefaultStaleAfter = 10 * time.Second
	DefaultListen     = "127.0.0.1:8080"
	DefaultLogLevel   = "info"
	DefaultLogFormat  = "text"
)

// applyDefaults fills every unset field. The device id defaults to the
// host name. The outbox and MQTT defaults are their packages' (copied in
// here so that `config show` prints the values in force).
func (c *Config) applyDefaults() {
	if c.DeviceID == "" {
		if h, err := os.Hostname(); err == nil {
			c.DeviceID = h
		}
	}
	def(&c.DataDir, DefaultDataDir)
	for i := range c.Cameras {
		def(&c.Cameras[i].OnFull, DropOldest)
	}
	def(&c.Model.Engine, DefaultEngine)
	def(&c.Model.Threads, DefaultThreads)
	def(&c.Model.TopK, DefaultTopK)
	def(&c.Model.Resize, DefaultResize)
	def(&c.Pipeline.QueueSize, DefaultQueueSize)
	def(&c.Pipeline.Workers, DefaultWorkers)
	def(&c.Pipeline.StaleAfter, Duration(DefaultStaleAfter))
	def(&c.Outbox.MaxBytes, ByteSize(outbox.DefaultMaxBytes))
	def(&c.Outbox.MaxRecords, outbox.DefaultMaxRecords)
	def(&c.Outbox.CommitInterval, Duration(outbox.DefaultCommitInterval))
	def(&c.Outbox.CommitBatch, outbox.DefaultCommitBatch)
	def(&c.HTTP.Listen, DefaultListen)
	def(&c.Log.Level, DefaultLogLevel)
	def(&c.Log.Format, DefaultLogFormat)
	if c.MQTT != nil {
		c.MQTT.applyDefaults(c.DeviceID)
	}
	if c.OTA != nil {
		c.OTA.applyDefaults()
	}
	if c.Monitor != nil {
		*c.Monitor = c.Monitor.Defaults()
	}
}

func def[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}
