package deploy

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fovea-edge/fovea/firmware/semver"
	"github.com/fovea-edge/fovea/firmware/sign"
)

// Envelope is a signed deployment as it travels.
type Envelope struct {
	Deployment json.RawMessage `json:"deployment"`
	KeyID      string          `json:"key_id"`
	Signature  string          `json:"signature"` // standard base64
}

// Encode validates d, signs it with priv and returns the envelope JSON.
func Encode(d *Deployment, priv ed25519.PrivateKey) ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("deploy.Encode: %w", err)
	}
	body, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("deploy.Encode: %w", err)
	}
	sig, id := sign.Sign(priv, sign.PurposeDeployment, body)
	out, err := json.Marshal(Envelope{Deployment: body, KeyID: id, Signature: base64.StdEncoding.EncodeToString(sig)})
	if err != nil {
		return nil, fmt.Errorf("deploy.Encode: %w", err)
	}
	if len(out) > MaxMessage {
		return nil, fmt.Errorf("deploy.Encode: %w: %d bytes; at most %d (too many devices in one stage?)", ErrMalformed, len(out), MaxMessage)
	}
	return out, nil
}

// Decode checks an envelope's size and signature against trust, then
// decodes and validates the deployment. Nothing of the deployment is
// parsed before its signature is checked.
func Decode(data []byte, trust *sign.Trust) (*Deployment, error) {
	if len(data) > MaxMessage {
		return nil, fmt.Errorf("deploy.Decode: %w: %d bytes; at most %d", ErrMalformed, len(data), MaxMessage)
	}
	var env Envelope
	if err := strictUnmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("deploy.Decode: %w: %w", ErrMalformed, err)
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signature)
	if err != nil {
		return nil, fmt.Errorf("deploy.Decode: %w: signature is not base64", ErrMalformed)
	}
	if err := trust.Verify(env.KeyID, sign.PurposeDeployment, env.Deployment, sig); err != nil {
		return nil, fmt.Errorf("deploy.Decode: %w", err)
	}
	var d Deployment
	if err := strictUnmarshal(env.Deployment, &d); err != nil {
		return nil, fmt.Errorf("deploy.Decode: %w: %w", ErrMalformed, err)
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("deploy.Decode: %w", err)
	}
	return &d, nil
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("data after the JSON object")
	}
	return nil
}

// Validate reports the first problem of d, wrapping ErrMalformed.
func (d *Deployment) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, a...)...)
	}
	switch {
	case d.ID == 0:
		return bad("id is 0")
	case !semver.Valid(d.Version):
		return bad("version %q is not a semantic version", d.Version)
	case d.Group == "" && len(d.Devices) == 0:
		return bad("neither group nor devices set: a deployment must name whom it addresses")
	case d.Name == "" || len(d.Name) > 64:
		return bad("name %q", d.Name)
	case (d.URL == "") == (d.Transfer == ""):
		return bad("exactly one of url and transfer must be set")
	case len(d.SHA256) != 64 || strings.Trim(d.SHA256, "0123456789abcdef") != "":
		return bad("sha256 %q: want 64 lowercase hex digits", d.SHA256)
	case d.Size <= 0:
		return bad("size %d", d.Size)
	case len(d.Group) > 128 || strings.ContainsAny(d.Group, "/+#\x00"):
		return bad("group %q: no '/', '+', '#' and at most 128 bytes", d.Group)
	case len(d.Transfer) > 128:
		return bad("transfer id longer than 128 bytes")
	case !d.Expires.IsZero() && d.Expires.Before(d.Created):
		return bad("expires before it was created")
	}
	if d.URL != "" {
		u, err := url.Parse(d.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") {
			return bad("url %q: want an http, https or file URL", d.URL)
		}
	}
	for _, dev := range d.Devices {
		if dev == "" || len(dev) > 128 {
			return bad("device id %q", dev)
		}
	}
	g := d.Gates
	for _, f := range []float64{g.MaxErrorRate, g.MinAgreement, g.MinAccuracy} {
		if math.IsNaN(f) || f < 0 || f > 1 {
			return bad("gate fraction %v: want 0…1", f)
		}
	}
	if math.IsNaN(g.MaxLatencyRatio) || g.MaxLatencyRatio < 0 {
		return bad("max_latency_ratio %v", g.MaxLatencyRatio)
	}
	if g.ShadowFrames < 0 || g.ProbationFrames < 0 || g.MinFrames < 0 {
		return bad("negative frame count in gates")
	}
	return nil
}

// Target is what a device knows about itself to decide whether a
// deployment applies.
type Target struct {
	Device string
	Group  string
	// LastID is the ID of the last deployment the device applied.
	LastID uint64
	// Now is the device clock.
	Now time.Time
}

// AppliesTo returns nil when d is for t, else ErrNotForDevice, ErrReplay or
// ErrExpired.
func (d *Deployment) AppliesTo(t Target) error {
	if d.Group != "" && d.Group != t.Group {
		return fmt.Errorf("deploy: group %q, device is in %q: %w", d.Group, t.Group, ErrNotForDevice)
	}
	if len(d.Devices) > 0 && !slices.Contains(d.Devices, t.Device) {
		return fmt.Errorf("deploy: stage %s lists %d devices, not %q: %w", d.Stage, len(d.Devices), t.Device, ErrNotForDevice)
	}
	if d.ID <= t.LastID {
		return fmt.Errorf("deploy: id %d, last applied %d: %w", d.ID, t.LastID, ErrReplay)
	}
	if !d.Expires.IsZero() && !t.Now.Before(d.Created) && t.Now.After(d.Expires) {
		return fmt.Errorf("deploy: expired at %s: %w", d.Expires.Format(time.RFC3339), ErrExpired)
	}
	return nil
}
