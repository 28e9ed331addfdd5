package labtest_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"trustmark/internal/labtest"
)

// benchEnv sets how many runs TestBenchmarkAgainstNmap makes; unset, the
// test skips (it is a measurement, not a check CI needs).
const benchEnv = "TRUSTMARK_LABTEST_BENCH"

// nmapRun is the part of nmap's XML output the comparison reads.
type nmapRun struct {
	Hosts []struct {
		Ports []struct {
			Protocol string `xml:"protocol,attr"`
			PortID   int    `xml:"portid,attr"`
			State    struct {
				State string `xml:"state,attr"`
			} `xml:"state"`
			Service struct {
				Name    string `xml:"name,attr"`
				Product string `xml:"product,attr"`
				Tunnel  string `xml:"tunnel,attr"`
			} `xml:"service"`
		} `xml:"ports>port"`
	} `xml:"host"`
}

// TestBenchmarkAgainstNmap times a full-port probe of the weak device side
// by side with "nmap -sT -sV -p-" (Debian's nmap) on the same target, in
// the same run, alternating which goes first, and checks that both find
// the same open ports and that the probe misses none. The table it logs is
// the one in docs/benchmarks.md. Run with
//
//	TRUSTMARK_LABTEST_BENCH=20 go test -run TestBenchmarkAgainstNmap -v ./internal/labtest/
func TestBenchmarkAgainstNmap(t *testing.T) {
	runs, _ := strconv.Atoi(os.Getenv(benchEnv))
	if runs <= 0 {
		t.Skipf("set %s=N to run the nmap comparison N times", benchEnv)
	}
	if _, err := exec.LookPath("nmap"); err != nil {
		t.Skip("nmap is not installed (apt-get install nmap)")
	}
	d := weakDevice(t, "127.0.0.2")
	want := slices.Sorted(maps.Keys(d.ports))
	version, _ := exec.Command("nmap", "--version").Output()
	t.Logf("%s", firstLineOf(string(version)))

	type sample struct{ nmap, probe, probeNoLogin time.Duration }
	var samples []sample
	missedNmap, missedProbe := 0, 0
	for i := range runs {
		var s sample
		runNmap := func() {
			start := time.Now()
			out, err := exec.Command("nmap", "-sT", "-sV", "-p-", "-n", "-Pn", "-oX", "-", d.addr).Output()
			s.nmap = time.Since(start)
			if err != nil {
				t.Fatalf("nmap: %v", err)
			}
			var nr nmapRun
			if err := xml.Unmarshal(out, &nr); err != nil {
				t.Fatalf("nmap XML: %v", err)
			}
			var got []int
			var names []string
			for _, h := range nr.Hosts {
				for _, p := range h.Ports {
					if p.State.State == "open" {
						got = append(got, p.PortID)
						names = append(names, fmt.Sprintf("%d:%s%s", p.PortID, tunnel(p.Service.Tunnel), p.Service.Name))
					}
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				missedNmap++
				t.Errorf("run %d: nmap found %v, want %v", i+1, got, want)
			}
			if i == 0 {
				t.Logf("nmap services: %s", strings.Join(names, " "))
			}
		}
		runProbe := func(noLogin bool) []int {
			start := time.Now()
			rep, err := labtest.Probe(context.Background(), labtest.Config{Target: d.addr, Profile: labtest.ProfileFull, NoLogin: noLogin})
			if noLogin {
				s.probeNoLogin = time.Since(start)
			} else {
				s.probe = time.Since(start)
			}
			if err != nil {
				t.Fatalf("probe: %v", err)
			}
			var got []int
			var names []string
			for _, p := range rep.Ports {
				if p.Transport == "tcp" {
					got = append(got, p.Port)
					names = append(names, fmt.Sprintf("%d:%s", p.Port, p.Service))
				}
			}
			if i == 0 && noLogin {
				t.Logf("probe services: %s", strings.Join(names, " "))
			}
			return got
		}
		check := func(got []int) {
			if !slices.Equal(got, want) {
				missedProbe++
				t.Errorf("run %d: the probe found %v, want %v", i+1, got, want)
			}
		}
		// Alternate the order, so that neither always runs on a warm device.
		if i%2 == 0 {
			runNmap()
			check(runProbe(true))
			check(runProbe(false))
		} else {
			check(runProbe(false))
			check(runProbe(true))
			runNmap()
		}
		samples = append(samples, s)
		t.Logf("run %2d: nmap -sT -sV -p- %6.2fs | probe --no-login %6.2fs | probe (all checks) %6.2fs",
			i+1, s.nmap.Seconds(), s.probeNoLogin.Seconds(), s.probe.Seconds())
	}
	med := func(get func(sample) time.Duration) (time.Duration, time.Duration, time.Duration) {
		var v []time.Duration
		for _, s := range samples {
			v = append(v, get(s))
		}
		slices.Sort(v)
		return v[0], v[len(v)/2], v[len(v)-1]
	}
	for _, row := range []struct {
		name string
		get  func(sample) time.Duration
	}{
		{"nmap -sT -sV -p-", func(s sample) time.Duration { return s.nmap }},
		{"trustmark probe --profile full --no-login", func(s sample) time.Duration { return s.probeNoLogin }},
		{"trustmark probe --profile full", func(s sample) time.Duration { return s.probe }},
	} {
		lo, mid, hi := med(row.get)
		t.Logf("| %s | %.2f s | %.2f s | %.2f s |", row.name, mid.Seconds(), lo.Seconds(), hi.Seconds())
	}
	t.Logf("| (median, fastest, slowest of %d runs) | open ports %v | runs where nmap's ports differed: %d | runs where the probe missed or added a port: %d |",
		runs, want, missedNmap, missedProbe)
	if diff := cmp.Diff(0, missedProbe); diff != "" {
		t.Errorf("the probe missed open ports in %d runs", missedProbe)
	}
}

func tunnel(s string) string {
	if s == "" {
		return ""
	}
	return s + "/"
}

func firstLineOf(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
