package labtest_test

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// netnsEnv marks the test binary re-run inside its own namespaces.
const netnsEnv = "TRUSTMARK_LABTEST_NETNS"

// TestMain runs the package's tests in a network namespace of their own
// (with its own loopback), a mount namespace (for the devices' planted
// passwd and shadow files) and a PID namespace (so that every daemon a test
// starts dies with it). Nothing the tests start can reach, or be reached
// from, any other network: a full-port probe of 127.0.0.2 there sees only
// the test's devices. Creating namespaces needs root; without it the
// device tests skip (and fail under CI).
func TestMain(m *testing.M) {
	if os.Getenv(netnsEnv) == "" && os.Geteuid() == 0 && namespacesWork() {
		self, err := os.Executable()
		if err == nil {
			cmd := exec.Command("unshare", append([]string{"--net", "--mount", "--pid", "--fork", "--mount-proc", "--", self}, os.Args[1:]...)...)
			cmd.Env = append(os.Environ(), netnsEnv+"=1")
			cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
			err = cmd.Run()
			if ee, ok := err.(*exec.ExitError); ok {
				os.Exit(ee.ExitCode())
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, "labtest: re-running in a network namespace:", err)
				os.Exit(1)
			}
			os.Exit(0)
		}
	}
	if os.Getenv(netnsEnv) == "1" {
		if out, err := exec.Command("ip", "link", "set", "lo", "up").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "labtest: ip link set lo up: %v: %s\n", err, out)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

// namespacesWork checks that unshare can make the namespaces here.
func namespacesWork() bool {
	if _, err := exec.LookPath("unshare"); err != nil {
		return false
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return false
	}
	return exec.Command("unshare", "--net", "--mount", "--pid", "--fork", "--mount-proc", "true").Run() == nil
}

// inLab reports whether the tests run in their private namespaces.
func inLab() bool { return os.Getenv(netnsEnv) == "1" }

// skipOrFail skips a test whose environment is missing, or fails it under
// CI, where .ci/run installs everything the tests need.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI is set: .ci/run should have provided it)", msg)
	}
	t.Skip(msg)
}
