package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// crashBuffer is a concurrency-safe sink for a child process's output.
type crashBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *crashBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *crashBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// buildTrustmark builds this package's binary into a temporary directory
// and returns its path. A crash test needs a real process to SIGKILL.
func buildTrustmark(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("LookPath(go) = %v, want the go command to build the binary", err)
	}
	bin := filepath.Join(t.TempDir(), "trustmark")
	args := []string{"build", "-o", bin}
	// Build as this test was built, so the build cache already holds every
	// dependency (modernc.org/sqlite takes minutes to compile from scratch).
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "-race" && s.Value == "true" {
				args = append(args, "-race")
			}
		}
	}
	cmd := exec.Command(goBin, append(args, ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s . = %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
}

// crashEnv is the environment of child processes: this one's without any
// TRUSTMARK_ variable, so that flags alone configure them.
func crashEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TRUSTMARK_") {
			env = append(env, kv)
		}
	}
	return env
}

// crashFreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func crashFreePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("net.Listen(127.0.0.1:0) = %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// crashServer is one running "trustmark serve" process.
type crashServer struct {
	cmd    *exec.Cmd
	base   string
	stderr *crashBuffer
	done   chan struct{} // closed once the process has exited and been reaped
	err    error         // Wait's result; read only after done is closed
}

// startCrashServer starts "trustmark serve" on a free port with the given
// flags and waits until /healthz answers. A server still running when the
// test ends is killed.
func startCrashServer(t *testing.T, bin string, args ...string) *crashServer {
	t.Helper()
	for attempt := 1; ; attempt++ {
		addr := fmt.Sprintf("127.0.0.1:%d", crashFreePort(t))
		s := &crashServer{base: "http://" + addr, stderr: &crashBuffer{}, done: make(chan struct{})}
		s.cmd = exec.Command(bin, append([]string{"serve", "--addr", addr}, args...)...)
		s.cmd.Env = crashEnv()
		s.cmd.Stdout = io.Discard
		s.cmd.Stderr = s.stderr
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("start %s serve = %v", bin, err)
		}
		go func() {
			s.err = s.cmd.Wait()
			close(s.done)
		}()
		t.Cleanup(s.kill)
		err := s.waitHealthy(60 * time.Second)
		if err == nil {
			return s
		}
		s.kill()
		// The free port may have been taken between the probe and the start.
		if attempt < 3 && strings.Contains(s.stderr.String(), "address already in use") {
			continue
		}
		t.Fatalf("trustmark serve %v: %v\nstderr:\n%s", args, err, s.stderr)
	}
}

// waitHealthy polls /healthz until it answers 200.
func (s *crashServer) waitHealthy(timeout time.Duration) error {
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := c.Get(s.base + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("exited before /healthz answered: %v", s.err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("/healthz did not answer 200 within %v (last error %v)", timeout, err)
		}
	}
}

// kill SIGKILLs the process, if it still runs, and waits until it is reaped.
func (s *crashServer) kill() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// terminate asks the process to shut down gracefully (SIGTERM) and returns
// how it exited; after timeout it is killed.
func (s *crashServer) terminate(timeout time.Duration) error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return s.err
	case <-time.After(timeout):
		s.kill()
		return fmt.Errorf("did not exit within %v of SIGTERM", timeout)
	}
}

// crashGet fetches url. err reports transport failures only, including a
// body cut short: a server killed mid-response is not an answer.
func crashGet(ctx context.Context, c *http.Client, url string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}

// crashMustGet fetches url from a server that must be up and answer 200.
func crashMustGet(t *testing.T, ctx context.Context, c *http.Client, url string) []byte {
	t.Helper()
	status, b, err := crashGet(ctx, c, url)
	if err != nil {
		t.Fatalf("GET %s = %v", url, err)
	}
	if status != http.StatusOK {
		t.Fatalf("GET %s = %d %s, want 200", url, status, b)
	}
	return b
}

// runTrustmark runs the binary with args and returns its standard output;
// err is non-nil when it exits other than 0.
func runTrustmark(ctx context.Context, bin string, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = crashEnv()
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		err = fmt.Errorf("exit code %d", ee.ExitCode())
	}
	return out.String(), errOut.String(), err
}
