package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/fovea-edge/fovea/firmware/sign"
)

func init() {
	var out string
	cmd := &cobra.Command{
		Use:   "keygen -o NAME",
		Short: "Make an Ed25519 key pair for signing model bundles and deployments (NAME.key, NAME.pub)",
		Long: `keygen writes NAME.key (the private key, PEM PKCS #8, mode 0600: keep it off
devices) and NAME.pub (the public key, PEM). Devices trust the public key
when ota.trusted_keys lists the .pub file or the inline form printed here.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pub, priv, err := sign.Generate()
			if err != nil {
				return err
			}
			id, err := sign.WriteKeyPair(out, pub, priv)
			if err != nil {
				return fmt.Errorf("keygen: %w (refusing to overwrite an existing key)", err)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "key id:  %s\nprivate: %s.key\npublic:  %s.pub\ninline:  %s\n", id, out, out, sign.Inline(pub))
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "base name of the key files (required)")
	_ = cmd.MarkFlagRequired("out")
	rootCmd.AddCommand(cmd)
}
