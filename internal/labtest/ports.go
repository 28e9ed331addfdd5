package labtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Profile chooses how much of the device a probe looks at.
type Profile string

// The profiles.
const (
	// ProfileQuick scans QuickPorts: the ports consumer IoT devices are
	// known to expose (management, streaming, messaging, vendor services).
	ProfileQuick Profile = "quick"
	// ProfileFull scans all 65,535 TCP ports.
	ProfileFull Profile = "full"
)

// ParseProfile checks a profile name.
func ParseProfile(s string) (Profile, error) {
	switch p := Profile(strings.ToLower(strings.TrimSpace(s))); p {
	case ProfileQuick, ProfileFull:
		return p, nil
	}
	return "", fmt.Errorf("profile %q: want quick or full", s)
}

// QuickPorts are the TCP ports of the quick profile: remote access (21-23,
// 2323, 5900), web management (80-82, 443, 8000-8091, 8443, 8888, 9000,
// 10000), streaming (554, 8554, 37777 and other camera ports), messaging
// (1883, 8883, 5222, 5683 over TCP), UPnP and vendor APIs (1900, 5000,
// 49152-49153, 7547 TR-069), file and printer sharing.
var QuickPorts = []int{
	21, 22, 23, 25, 53, 80, 81, 82, 88, 110, 111, 139, 143, 443, 445, 502, 554, 631,
	1080, 1400, 1883, 1900, 2000, 2323, 3000, 3306, 3389, 4433, 4443, 4567, 5000, 5001,
	5060, 5222, 5357, 5431, 5555, 5683, 5900, 6000, 6668, 7547, 7676, 8000, 8001, 8008,
	8009, 8060, 8080, 8081, 8088, 8089, 8090, 8091, 8123, 8181, 8443, 8554, 8883, 8888,
	9000, 9001, 9090, 9100, 9443, 9999, 10000, 10001, 12345, 20000, 37777, 49152, 49153,
	50000, 55443,
}

// PortsFor returns the ports a profile scans.
func PortsFor(p Profile) []int {
	if p == ProfileFull {
		out := make([]int, 65535)
		for i := range out {
			out[i] = i + 1
		}
		return out
	}
	return slices.Clone(QuickPorts)
}

// ParsePorts parses a port list such as "22,80,8000-8100" into sorted,
// distinct ports. "-" alone or "all" means 1-65535.
func ParsePorts(spec string) ([]int, error) {
	spec = strings.TrimSpace(spec)
	if spec == "-" || strings.EqualFold(spec, "all") {
		return PortsFor(ProfileFull), nil
	}
	seen := make(map[int]bool)
	var out []int
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := portNumber(lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = portNumber(hi); err != nil {
				return nil, err
			}
			if b < a {
				return nil, fmt.Errorf("port range %q runs backwards", part)
			}
		}
		for p := a; p <= b; p++ {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("port list %q names no port", spec)
	}
	slices.Sort(out)
	return out, nil
}

func portNumber(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %q: want a number from 1 to 65535", s)
	}
	return n, nil
}
