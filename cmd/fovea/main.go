// Command fovea is the Fovea edge agent: it captures camera frames,
// classifies them with TensorFlow Lite models, buffers every result durably
// and syncs results over MQTT.
//
// Each subcommand lives in its own file and registers itself on rootCmd in
// an init function; the commands only parse flags and call into the
// packages that do the work.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

var rootCmd = &cobra.Command{
	Use:           "fovea",
	Short:         "Fovea edge agent: capture, classify, buffer and sync",
	SilenceUsage:  true,
	SilenceErrors: true,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := rootCmd.ExecuteContext(ctx)
	stop()
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "fovea:", userMessage(err))
		os.Exit(1)
	}
}
