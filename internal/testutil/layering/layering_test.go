package layering

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/fovea-edge/fovea/"

// rule says which packages a group of packages must not depend on
// (directly or through other packages), and why.
type rule struct {
	pkgs      string // a package path below the module, or a prefix ending in "/..."
	forbidden []ban
}

type ban struct {
	dep    string // a package path below the module or a prefix ending in "/..."; "std:" before a standard-library one
	reason string
}

// inferBans keep inference a leaf below capture, sync, OTA and monitoring.
var inferBans = []ban{
	{"camera/...", "inference takes images, not cameras: preprocessing lives in internal/base/imaging"},
	{"sync/...", "inference never stores or sends results"},
	{"agent/...", "the agent wires inference, not the other way round"},
	{"firmware/...", "OTA loads models through infer, not the other way round"},
	{"monitor/...", "the monitor watches inference from the outside"},
	{"internal/demo/...", "inference must not link demo tooling"},
	{"internal/testutil/...", "test helpers are for tests only"},
}

// rules cover every package of the module: TestEveryPackageHasARule fails
// when a new package matches none, so its layer has to be decided.
var rules = []rule{
	{"internal/base/...", []ban{
		{"agent/...", "base helpers are leaves that every layer may use"},
		{"camera/...", "base helpers are leaves that every layer may use"},
		{"infer/...", "base helpers are leaves that every layer may use"},
		{"sync/...", "base helpers are leaves that every layer may use"},
		{"firmware/...", "base helpers are leaves that every layer may use"},
		{"monitor/...", "base helpers are leaves that every layer may use"},
		{"internal/demo/...", "base helpers must not link demo tooling"},
		{"internal/testutil/...", "test helpers are for tests only"},
	}},
	{"infer/modelerr", []ban{
		{"...", "the error kinds are a leaf so the parser can use them without importing package infer"},
	}},
	{"infer/tflite/schema", append([]ban{
		{"infer", "the FlatBuffer parser must not link the classifier or, through it, image code"},
		{"internal/base/imaging/...", "the FlatBuffer parser has nothing to do with images"},
	}, inferBans...)},
	{"infer/...", inferBans},
	{"camera/...", []ban{
		{"infer/...", "capture does not know about models"},
		{"sync/...", "capture never stores or sends results"},
		{"agent/...", "the agent wires cameras, not the other way round"},
		{"firmware/...", "capture knows nothing of updates"},
		{"monitor/...", "the monitor is fed by the agent"},
		{"internal/testutil/...", "test helpers are for tests only"},
	}},
	{"sync/...", []ban{
		{"agent/...", "the outbox and MQTT sync carry opaque records; the agent owns them"},
		{"camera/...", "sync carries records, not frames"},
		{"infer/...", "sync carries records, not models"},
		{"firmware/...", "OTA registers with sync through its small interfaces"},
		{"monitor/...", "monitor events are published by the agent"},
		{"internal/demo/...", "sync must not link demo tooling"},
		{"internal/testutil/...", "test helpers are for tests only"},
	}},
	{"firmware/...", []ban{
		{"agent/...", "the agent drives OTA through interfaces; firmware must not reach back"},
		{"camera/...", "updates do not touch capture"},
		{"sync/...", "firmware talks MQTT through its own small interfaces, so the operator CLI can use a plain client"},
		{"internal/demo/...", "firmware must not link demo tooling"},
		{"internal/testutil/...", "test helpers are for tests only"},
	}},
	// monitor/eval/evaldata reads data sets (files, the synthetic camera)
	// and runs models; monitor/eval/progress draws the CLI's progress bar.
	{"monitor/eval/...", []ban{
		{"agent/...", "offline evaluation runs without the agent"},
		{"sync/...", "offline evaluation stores and sends nothing"},
		{"firmware/...", "OTA consumes eval's JSON, not the other way round"},
		{"internal/testutil/...", "test helpers are for tests only"},
	}},
	{"monitor/...", []ban{
		{"agent/...", "the agent feeds the monitor and exports what it says"},
		{"sync/...", "the monitor does no I/O: the agent publishes its events"},
		{"camera/...", "the monitor is fed frames by the agent"},
		{"firmware/...", "OTA reads the monitor's verdicts through the agent"},
		{"std:net/...", "the monitor does no I/O: the agent feeds it and exports what it says"},
		{"std:os", "the monitor does no I/O: the agent feeds it and exports what it says"},
		{"internal/testutil/...", "test helpers are for tests only"},
	}},
	{"agent/...", []ban{
		{"cmd/...", "commands call the agent, not the other way round"},
		{"internal/testutil/...", "test helpers are for tests only"},
	}},
	{"internal/demo/...", []ban{
		{"agent/...", "demo tooling is below the agent"},
		{"sync/...", "demo tooling stores and sends nothing"},
		{"internal/testutil/...", "test helpers are for tests only"},
	}},
	{"internal/testutil/...", []ban{
		{"agent/...", "test helpers serve every layer, so they import none of them"},
		{"cmd/...", "test helpers serve every layer, so they import none of them"},
	}},
	{"cmd/...", nil}, // the commands may use everything
}

// match reports whether pkg (relative to the module) matches pattern.
func match(pattern, pkg string) bool {
	if pattern == "..." {
		return true
	}
	if p, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == p || strings.HasPrefix(pkg, p+"/")
	}
	return pkg == pattern
}

// ruleFor returns the first rule whose pattern matches pkg: specific rules
// come before the broader ones in the table.
func ruleFor(pkg string) (rule, bool) {
	for _, r := range rules {
		if match(r.pkgs, pkg) {
			return r, true
		}
	}
	return rule{}, false
}

// deps are one package's dependencies: packages of this module (relative
// to it; transitive, non-test) and the standard-library packages it
// imports directly (transitively every package reaches os through fmt).
type deps struct{ own, std []string }

// listDeps returns every package of the module with its dependencies.
func listDeps(t *testing.T) map[string]deps {
	t.Helper()
	statSources(t)
	out, err := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}}: {{join .Deps " "}}: {{join .Imports " "}}`, module+"...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	pkgs := map[string]deps{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		p, rest, _ := strings.Cut(line, ": ")
		all, direct, _ := strings.Cut(rest, ": ")
		var d deps
		for _, dep := range strings.Fields(all) {
			if rel, ok := strings.CutPrefix(dep, module); ok {
				d.own = append(d.own, rel)
			}
		}
		for _, dep := range strings.Fields(direct) {
			if first, _, _ := strings.Cut(dep, "/"); !strings.Contains(first, ".") {
				d.std = append(d.std, dep)
			}
		}
		pkgs[strings.TrimPrefix(p, module)] = d
	}
	return pkgs
}

func TestEveryPackageHasARule(t *testing.T) {
	for pkg := range listDeps(t) {
		if _, ok := ruleFor(pkg); !ok {
			t.Errorf("package %s matches no rule in layering_test.go: decide its layer and add one", pkg)
		}
	}
}

func TestLayering(t *testing.T) {
	for pkg, d := range listDeps(t) {
		r, _ := ruleFor(pkg)
		for _, b := range r.forbidden {
			list := d.own
			pattern, std := strings.CutPrefix(b.dep, "std:")
			if std {
				list = d.std
			}
			for _, dep := range list {
				if match(pattern, dep) {
					t.Errorf("%s depends on %s: %s", pkg, dep, b.reason)
				}
			}
		}
	}
}

// statSources looks at every directory and Go file of the module, so that
// go test's cache (which records the files a test opens) reruns this test
// when an import changes.
func statSources(t *testing.T) {
	t.Helper()
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case e.IsDir() && p != root && (strings.HasPrefix(e.Name(), ".") || e.Name() == "testdata"):
			return filepath.SkipDir
		case !e.IsDir() && strings.HasSuffix(p, ".go"):
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			return f.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk module: %v", err)
	}
}
