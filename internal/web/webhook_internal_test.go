package web

import (
	"strings"
	"testing"
)

// TestCheckPublicAddress: the deliverer's dial check refuses every
// non-public address, including IPv4-mapped IPv6 forms of them.
func TestCheckPublicAddress(t *testing.T) {
	for _, c := range []struct {
		addr   string
		public bool
	}{
		{"93.184.216.34:443", true},
		{"[2606:4700:4700::1111]:443", true},
		{"8.8.8.8:80", true},
		{"127.0.0.1:443", false},
		{"127.8.9.10:443", false},
		{"10.1.2.3:443", false},
		{"172.16.5.4:443", false},
		{"192.168.1.1:443", false},
		{"169.254.169.254:80", false}, // cloud metadata
		{"100.64.0.1:443", false},     // carrier-grade NAT
		{"0.0.0.0:443", false},
		{"224.0.0.1:443", false},
		{"[::1]:443", false},
		{"[fe80::1]:443", false},
		{"[fc00::1]:443", false},
		{"[::ffff:127.0.0.1]:443", false},
		{"[::ffff:10.0.0.1]:443", false},
		{"[::]:443", false},
	} {
		err := checkPublicAddress(c.addr)
		if (err == nil) != c.public {
			t.Errorf("checkPublicAddress(%s) = %v; want public %v", c.addr, err, c.public)
		}
		if err != nil && !strings.Contains(err.Error(), "not a public address") {
			t.Errorf("checkPublicAddress(%s) = %v; want the reason", c.addr, err)
		}
	}
	if err := checkPublicAddress("no-port"); err == nil {
		t.Error("checkPublicAddress(no port) = nil, want an error")
	}
}
