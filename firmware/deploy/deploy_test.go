package deploy

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/sign"
)

var t0 = time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)

func sample() *Deployment {
	return &Deployment{
		ID: 1764745200000, Group: "kitchens", Devices: []string{"pi-1", "pi-2"}, Stage: "10%",
		Name: "shapes", Version: "1.3.0", URL: "https://models.example.net/shapes-1.3.0.fovea",
		SHA256: strings.Repeat("ab", 32), Size: 31999,
		Gates:   Gates{MaxErrorRate: 0.01, MaxLatencyP99: Duration(50 * time.Millisecond), MinAgreement: 0.9, ShadowFrames: 200, ShadowDuration: Duration(10 * time.Minute)},
		Created: t0, Expires: t0.Add(24 * time.Hour),
	}
}

func key(t testing.TB, seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func TestRoundTrip(t *testing.T) {
	priv := key(t, 1)
	msg, err := Encode(sample(), priv)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(msg, sign.NewTrust(priv.Public().(ed25519.PublicKey)))
	if err != nil {
		t.Fatalf("Decode = %v", err)
	}
	if d.Version != "1.3.0" || d.Gates.MaxLatencyP99.D() != 50*time.Millisecond || d.Gates.ShadowDuration.D() != 10*time.Minute || !d.Expires.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("decoded %+v", d)
	}
}

func TestDecodeRefusals(t *testing.T) {
	priv, other := key(t, 1), key(t, 2)
	trust := sign.NewTrust(priv.Public().(ed25519.PublicKey))
	good, _ := Encode(sample(), priv)
	var env Envelope
	json.Unmarshal(good, &env)
	reenv := func(e Envelope) []byte { b, _ := json.Marshal(e); return b }

	tampered := env
	tampered.Deployment = bytes.Replace(env.Deployment, []byte(`"allow_downgrade"`), []byte(`"allow_downgradE"`), 1)
	tampered.Deployment = bytes.Replace(tampered.Deployment, []byte(`"version":"1.3.0"`), []byte(`"version":"0.1.0"`), 1)
	otherSigned, _ := Encode(sample(), other)
	manifestSig := env
	s, _ := sign.Sign(priv, sign.PurposeManifest, env.Deployment)
	manifestSig.Signature = base64.StdEncoding.EncodeToString(s)
	unknownField := func() []byte {
		body := bytes.Replace(env.Deployment, []byte(`{"id"`), []byte(`{"rollback_all":true,"id"`), 1)
		sig, id := sign.Sign(priv, sign.PurposeDeployment, body)
		return reenv(Envelope{body, id, base64.StdEncoding.EncodeToString(sig)})
	}()
	noTarget := func() []byte {
		d := sample()
		d.Group, d.Devices = "", nil
		body, _ := json.Marshal(d)
		sig, id := sign.Sign(priv, sign.PurposeDeployment, body)
		return reenv(Envelope{body, id, base64.StdEncoding.EncodeToString(sig)})
	}()

	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"tampered version", reenv(tampered), sign.ErrBadSignature},
		{"unknown key", otherSigned, sign.ErrUnknownKey},
		{"bundle signature reused as deployment", reenv(manifestSig), sign.ErrBadSignature},
		{"signed but unknown field", unknownField, ErrMalformed},
		{"signed without target", noTarget, ErrMalformed},
		{"not json", []byte("deploy shapes 1.3.0"), ErrMalformed},
		{"envelope with extra field", bytes.Replace(good, []byte(`{"deployment"`), []byte(`{"x":1,"deployment"`), 1), ErrMalformed},
		{"too large", append(good, bytes.Repeat([]byte(" "), MaxMessage)...), ErrMalformed},
		{"signature not base64", bytes.Replace(good, []byte(`"signature":"`), []byte(`"signature":"!`), 1), ErrMalformed},
	}
	for _, tt := range tests {
		if _, err := Decode(tt.data, trust); !errors.Is(err, tt.want) {
			t.Errorf("%s: Decode = %v; want %v", tt.name, err, tt.want)
		}
	}
}

func TestAppliesTo(t *testing.T) {
	d := sample()
	tests := []struct {
		name string
		t    Target
		want error
	}{
		{"listed device", Target{Device: "pi-1", Group: "kitchens", LastID: 5, Now: t0.Add(time.Hour)}, nil},
		{"other group", Target{Device: "pi-1", Group: "garages", Now: t0}, ErrNotForDevice},
		{"not in this stage", Target{Device: "pi-9", Group: "kitchens", Now: t0}, ErrNotForDevice},
		{"replayed", Target{Device: "pi-1", Group: "kitchens", LastID: d.ID, Now: t0}, ErrReplay},
		{"expired", Target{Device: "pi-1", Group: "kitchens", Now: t0.Add(25 * time.Hour)}, ErrExpired},
		{"clock at 1970 does not judge expiry", Target{Device: "pi-1", Group: "kitchens", Now: time.Unix(0, 0)}, nil},
	}
	for _, tt := range tests {
		err := d.AppliesTo(tt.t)
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("%s: AppliesTo = %v; want %v", tt.name, err, tt.want)
		}
	}
}

func TestGatesMerge(t *testing.T) {
	def := Gates{MaxErrorRate: 0.05, MinAgreement: 0.8, ShadowFrames: 100, MinFrames: 20, ProbationDuration: Duration(time.Minute)}
	got := Gates{MinAgreement: 0.95, ShadowFrames: 500}.Merge(def)
	want := Gates{MaxErrorRate: 0.05, MinAgreement: 0.95, ShadowFrames: 500, MinFrames: 20, ProbationDuration: Duration(time.Minute)}
	if got != want {
		t.Errorf("Merge = %+v; want %+v", got, want)
	}
}

func FuzzDeployment(f *testing.F) {
	priv := key(f, 1)
	trust := sign.NewTrust(priv.Public().(ed25519.PublicKey))
	good, _ := Encode(sample(), priv)
	f.Add(good)
	f.Add([]byte(`{"deployment":{},"key_id":"","signature":""}`))
	f.Add([]byte(`{"deployment":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Decode(data, trust)
		if err != nil {
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("Decode accepted an invalid deployment: %v", err)
		}
		_ = d.AppliesTo(Target{Device: "pi-1", Group: "kitchens", Now: t0})
	})
}
