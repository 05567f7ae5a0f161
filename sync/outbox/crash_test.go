package outbox

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// crashEnv names the outbox file the helper process appends to.
const crashEnv = "FOVEA_OUTBOX_CRASH_CHILD"

// TestHelperProcess is not a test: TestCrashKill9 runs the test binary
// again with crashEnv set, and this function is then the child that
// appends until it is killed. Each line it prints is "seq value" for an
// append that has returned, i.e. been acknowledged.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process for TestCrashKill9")
	}
	round := os.Getenv(crashEnv + "_ROUND")
	o, err := Open(path, Options{CommitInterval: 2 * time.Millisecond, CommitBatch: 32})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	var mu sync.Mutex // one Write per line, so lines never interleave
	var wg sync.WaitGroup
	deadline := time.Now().Add(30 * time.Second) // never outlive a parent that died
	for g := range 4 {
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				v := fmt.Sprintf("r%s-g%d-%d-%s", round, g, i, strings.Repeat("x", i%50))
				seq, err := o.Append(context.Background(), []byte(v))
				if err != nil {
					fmt.Fprintln(os.Stderr, "child:", err)
					os.Exit(4)
				}
				mu.Lock()
				_, err = os.Stdout.WriteString(strconv.FormatUint(seq, 10) + " " + v + "\n")
				mu.Unlock()
				if err != nil {
					os.Exit(5)
				}
			}
		})
	}
	wg.Wait()
	os.Exit(6) // the parent should have killed us long ago
}

// TestCrashKill9 kills a process that appends from several goroutines with
// SIGKILL at random moments, reopens the same file each round, and checks
// that every append acknowledged before each kill is stored exactly once,
// with its sequence, in order.
func TestCrashKill9(t *testing.T) {
	const rounds = 24
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	path := filepath.Join(t.TempDir(), "outbox.db")
	acked := map[uint64]string{}
	for round := range rounds {
		// Kill after a random number of acknowledged lines, or, one round in
		// four, after a random delay that may fall while the child is still
		// opening the file.
		killAfter, delay := 1+rng.IntN(400), time.Duration(0)
		if rng.IntN(4) == 0 {
			killAfter, delay = 0, time.Duration(rng.IntN(60))*time.Millisecond
		}
		lines := runAndKill(t, path, round, killAfter, delay)
		for _, l := range lines {
			seqStr, v, ok := strings.Cut(l, " ")
			seq, err := strconv.ParseUint(seqStr, 10, 64)
			if !ok || err != nil {
				t.Fatalf("round %d: child printed %q", round, l)
			}
			if prev, dup := acked[seq]; dup {
				t.Fatalf("round %d: seq %d acknowledged twice: %q and %q (a committed record was lost and its seq reused)", round, seq, prev, v)
			}
			acked[seq] = v
		}
		verifyAcked(t, path, acked, round)
	}
	if len(acked) < rounds {
		t.Errorf("only %d appends acknowledged in %d rounds; the test did not exercise much", len(acked), rounds)
	}
	t.Logf("%d rounds, %d acknowledged appends checked", rounds, len(acked))
}

// runAndKill starts the helper process, kills it with SIGKILL after it has
// printed killAfter lines (or after delay when killAfter is 0), and returns
// every complete line it printed.
func runAndKill(t *testing.T, path string, round, killAfter int, delay time.Duration) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path, fmt.Sprintf("%s_ROUND=%d", crashEnv, round))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting helper: %v", err)
	}
	got := make(chan string)
	var lines []string
	var rg sync.WaitGroup
	rg.Go(func() {
		defer close(got)
		r := bufio.NewReader(out)
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return // EOF; a partial last line was cut by the kill and is not acknowledged
			}
			got <- strings.TrimSuffix(l, "\n")
		}
	})
	var timer <-chan time.Time
	if killAfter == 0 {
		timer = time.After(delay)
	}
	guard := time.After(20 * time.Second)
wait:
	for {
		select {
		case l, ok := <-got:
			if !ok {
				break wait
			}
			lines = append(lines, l)
			if killAfter > 0 && len(lines) >= killAfter {
				break wait
			}
		case <-timer:
			break wait
		case <-guard:
			t.Errorf("round %d: helper printed %d lines in 20s", round, len(lines))
			break wait
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill: %v", err)
	}
	for l := range got { // lines already in the pipe were acknowledged too
		lines = append(lines, l)
	}
	rg.Wait()
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
		t.Fatalf("round %d: helper ended with %v, not by our SIGKILL; stderr:\n%s", round, err, stderr.String())
	}
	return lines
}

// verifyAcked reopens the outbox and checks every acknowledged record.
func verifyAcked(t *testing.T, path string, acked map[uint64]string, round int) {
	t.Helper()
	if _, err := os.Stat(path); os.IsNotExist(err) && len(acked) == 0 {
		return // killed before it created the file
	}
	o, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("round %d: reopening after kill -9: %v", round, err)
	}
	all := readAll(t, o)
	stats := o.Stats()
	if err := o.Close(); err != nil {
		t.Fatalf("round %d: Close = %v", round, err)
	}
	checkFile(t, path)
	seen := make(map[string]uint64, len(all))
	var prev uint64
	for _, e := range all {
		if e.Seq <= prev {
			t.Fatalf("round %d: seq %d after %d: out of order", round, e.Seq, prev)
		}
		prev = e.Seq
		if s, dup := seen[string(e.Value)]; dup {
			t.Fatalf("round %d: value %q stored twice, at %d and %d", round, e.Value, s, e.Seq)
		}
		seen[string(e.Value)] = e.Seq
	}
	for seq, v := range acked {
		if got, ok := seen[v]; !ok || got != seq {
			t.Fatalf("round %d: acknowledged record %d %q is missing after kill -9 (stored at %d, present %v)", round, seq, v, got, ok)
		}
	}
	if stats.Count != uint64(len(all)) || stats.Appended < uint64(len(acked)) {
		t.Errorf("round %d: Stats() = %+v; %d records stored, %d acknowledged", round, stats, len(all), len(acked))
	}
}
