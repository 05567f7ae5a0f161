package fetchmqtt_test

import (
	"context"
	"log"
	"log/slog"

	"github.com/fovea-edge/fovea/firmware/fetch"
	"github.com/fovea-edge/fovea/firmware/fetch/fetchmqtt"
)

// The operator side of an MQTT transfer, as `fovea fleet deploy` runs it:
// serve the bundle until the rollout ends.
func Example_serve() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn, err := fetchmqtt.Dial(ctx, fetchmqtt.Options{Broker: "mqtts://broker.example:8883", ClientID: "fovea-operator", CAFile: "ca.pem"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close(context.Background())
	srv := fetch.NewChunkServer(conn, slog.Default())
	man, err := srv.Add("shapes-1.3.0", "shapes-1.3.0.fovea", fetch.DefaultChunkSize)
	if err != nil {
		log.Fatal(err)
	}
	conn.Subscribe(fetch.RequestFilter, srv.Deliver)
	log.Printf("serving %d bytes in %d chunks", man.Size, len(man.Chunks))
	// The deployment names Transfer "shapes-1.3.0" with the bundle's size
	// and sha256; Run answers the devices until ctx ends.
	_ = srv.Run(ctx)
}
