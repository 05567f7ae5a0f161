package ota

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fovea-edge/fovea/firmware/bundle"
	"github.com/fovea-edge/fovea/firmware/deploy"
	"github.com/fovea-edge/fovea/firmware/sign"
	"github.com/fovea-edge/fovea/firmware/store"
	"github.com/fovea-edge/fovea/internal/testutil/otatest"
)

// crashEnv holds the child's data directory; the child reads the trusted
// key and the deployment from files in it.
const crashEnv = "FOVEA_OTA_CRASH_CHILD"

// TestHelperOTAProcess is not a test: TestKill9 runs the test binary again
// with crashEnv set, and this is then a device that starts like the agent
// (the model store.Resolve picks), receives the retained deployment, and
// runs the machine until it is killed. It prints "start VERSION STATE"
// once, "state STATE" for every transition and "final STATE" at the end.
func TestHelperOTAProcess(t *testing.T) {
	data := os.Getenv(crashEnv)
	if data == "" {
		t.Skip("helper process for TestKill9")
	}
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	pub, err := sign.LoadPublic(filepath.Join(data, "trusted.pub"))
	if err != nil {
		fail(err)
	}
	env, err := os.ReadFile(filepath.Join(data, "deploy.json"))
	if err != nil {
		fail(err)
	}
	trust := sign.NewTrust(pub)
	st, err := store.Open(data, trust, bundle.Limits{}, nil)
	if err != nil {
		fail(err)
	}
	host := newFrameHost(t)
	v, _, err := st.Resolve()
	if err != nil && !errors.Is(err, store.ErrNoActive) {
		fail(err)
	}
	if v != nil {
		if err := host.Activate(v); err != nil {
			fail(err)
		}
	}
	saved, err := loadStatus(filepath.Join(data, "ota"))
	if err != nil {
		fail(err)
	}
	var mu sync.Mutex
	say := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf(format+"\n", a...)
	}
	say("start %s %s", name(v), saved.State)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // never outlive the parent
	defer cancel()
	m, err := New(Config{
		Device: "dev-1", Group: "lab", Dir: filepath.Join(data, "ota"),
		Store: st, Trust: trust, Host: host, Fetcher: slowFetcher{},
		AgentVersion: "1.0.0",
		Gates: deploy.Gates{
			MaxLatencyRatio: 1000, ShadowFrames: 150, ProbationFrames: 150, MinFrames: 20,
			ShadowDuration: deploy.Duration(time.Minute), ProbationDuration: deploy.Duration(time.Minute),
		},
		Publish: func(s Status) {
			if s.State.busy() {
				say("state %s", s.State)
			} else {
				say("final %s %s", s.State, s.Reason)
			}
		},
	})
	if err != nil {
		fail(err)
	}
	go host.run(ctx)
	go func() {
		// The retained deployment arrives on every (re)connect.
		if err := m.Submit(env); err != nil && !errors.Is(err, deploy.ErrReplay) {
			fail(err)
		}
	}()
	if err := m.Run(ctx); err != nil {
		fail(err)
	}
	os.Exit(6)
}

// slowFetcher copies a file:// bundle in 1 KiB pieces, 2ms apart, so that
// a kill lands mid-download; like every Fetcher it writes dst.partial,
// syncs it, checks size and sha256 and only then renames it.
type slowFetcher struct{}

func (slowFetcher) Fetch(ctx context.Context, d *deploy.Deployment, dst string, progress func(done, total int64)) error {
	src, err := os.Open(strings.TrimPrefix(d.URL, "file://"))
	if err != nil {
		return err
	}
	defer src.Close()
	out, err := os.Create(dst + ".partial")
	if err != nil {
		return err
	}
	defer out.Close()
	h := sha256.New()
	buf := make([]byte, 1024)
	var done int64
	for {
		n, rerr := src.Read(buf)
		out.Write(buf[:n])
		h.Write(buf[:n])
		done += int64(n)
		progress(done, d.Size)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return rerr
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
	if err := out.Sync(); err != nil {
		return err
	}
	if hex.EncodeToString(h.Sum(nil)) != d.SHA256 || done != d.Size {
		return fmt.Errorf("%w: size or sha256 differs", ErrFetch)
	}
	return os.Rename(dst+".partial", dst)
}

// TestKill9 kills a device with SIGKILL at a random moment of each update
// state, restarts it on the same data directory, and checks that it never
// starts on a model that is not installed and verified, starts on the
// candidate only after the candidate passed its shadow run, and that every
// update ends committed, with nothing half-written left behind.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 loop skipped in -short mode")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 3))
	pub, priv := otatest.Key(t)
	src := t.TempDir()
	b1 := otatest.Shapes(t, src, priv, "1.0.0")
	b2 := otatest.Shapes(t, src, priv, "2.0.0")
	for _, target := range []State{Downloading, Verifying, SelfTest, Shadow, Activating, Probation} {
		t.Run(string(target), func(t *testing.T) {
			data := t.TempDir()
			pubPEM, _ := sign.MarshalPublic(pub)
			os.WriteFile(filepath.Join(data, "trusted.pub"), pubPEM, 0o644)
			// Install 1.0.0 first, without kills.
			writeDeploy(t, data, priv, b1, "1.0.0", 1)
			if lines := runChild(t, data, "final", 0); !strings.HasPrefix(lines[len(lines)-1], "final committed") {
				t.Fatalf("installing 1.0.0: %v", lines)
			}
			writeDeploy(t, data, priv, b2, "2.0.0", 2)
			lines := runChild(t, data, "state "+string(target), time.Duration(rng.IntN(40))*time.Millisecond)
			checkStart(t, lines)
			lines = runChild(t, data, "final", 0)
			checkStart(t, lines)
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "final committed") {
				t.Fatalf("after a kill in %s the update ended %q; lines %v", target, last, lines)
			}
			checkClean(t, data, pub, "2.0.0")
		})
	}
	t.Run("probation twice", func(t *testing.T) {
		data := t.TempDir()
		pubPEM, _ := sign.MarshalPublic(pub)
		os.WriteFile(filepath.Join(data, "trusted.pub"), pubPEM, 0o644)
		writeDeploy(t, data, priv, b1, "1.0.0", 1)
		runChild(t, data, "final", 0)
		writeDeploy(t, data, priv, b2, "2.0.0", 2)
		runChild(t, data, "state probation", 0)
		runChild(t, data, "state probation", 0)
		lines := runChild(t, data, "final", 0)
		if last := lines[len(lines)-1]; !strings.HasPrefix(last, "final rolled_back") || !strings.Contains(last, "restarted 2 times") {
			t.Fatalf("two crashes in probation ended %q; want a rollback", last)
		}
		checkClean(t, data, pub, "1.0.0")
	})
}

func writeDeploy(t *testing.T, data string, priv ed25519.PrivateKey, path, version string, id uint64) {
	t.Helper()
	b, _ := os.ReadFile(path)
	sum := sha256.Sum256(b)
	env, err := deploy.Encode(&deploy.Deployment{ID: id, Group: "lab", Name: "shapes", Version: version, URL: "file://" + path,
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b)), Created: time.Now().UTC()}, priv)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(data, "deploy.json"), env, 0o644)
}

// runChild runs the device until it prints a line starting with until,
// waits delay, kills it with SIGKILL and returns what it printed.
func runChild(t *testing.T, data, until string, delay time.Duration) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperOTAProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+data)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got := make(chan string)
	go func() {
		defer close(got)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			got <- sc.Text()
		}
	}()
	var lines []string
	guard := time.After(90 * time.Second)
wait:
	for {
		select {
		case l, ok := <-got:
			if !ok {
				t.Fatalf("child exited early: %v\n%s\nlines %v", cmd.Wait(), stderr.String(), lines)
			}
			lines = append(lines, l)
			if strings.HasPrefix(l, until) {
				break wait
			}
		case <-guard:
			cmd.Process.Kill()
			t.Fatalf("child did not print %q in 90s: %v\n%s", until, lines, stderr.String())
		}
	}
	time.Sleep(delay)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	for l := range got {
		lines = append(lines, l)
	}
	cmd.Wait()
	return lines
}

// checkStart holds the child's start line to the rule: the candidate
// 2.0.0 runs at start only once it has passed its shadow run.
func checkStart(t *testing.T, lines []string) {
	t.Helper()
	f := strings.Fields(lines[0])
	if len(f) < 2 || f[0] != "start" {
		t.Fatalf("first line %q", lines[0])
	}
	version, state := "", f[len(f)-1]
	if len(f) == 3 {
		version = f[1]
	}
	okStates := []string{string(Activating), string(Probation), string(Committed), string(RollingBack)}
	if version == "2.0.0" && !slices.Contains(okStates, state) {
		t.Errorf("the device started on the candidate in state %s, before it passed its shadow run", state)
	}
}

// checkClean checks that the finished device keeps no half-written state:
// no staging or download files, and the active version verifies.
func checkClean(t *testing.T, data string, pub ed25519.PublicKey, active string) {
	t.Helper()
	ents, _ := os.ReadDir(filepath.Join(data, "models"))
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("models/%s left behind", e.Name())
		}
	}
	if dl, _ := os.ReadDir(filepath.Join(data, "ota", "download")); len(dl) != 0 {
		t.Errorf("%d files left in ota/download", len(dl))
	}
	s, err := store.Open(data, sign.NewTrust(pub), bundle.Limits{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Active()
	if err != nil || v.Version != active {
		t.Errorf("active version %v, %v; want %s", v, err, active)
	}
}
