package labtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// ErrPublicTarget is returned (wrapped) when the named target is in a
// public address range and AllowPublic is not set: a lab probes devices on
// its own bench, and a typo must not turn the probe on someone else's host.
var ErrPublicTarget = errors.New("target is a public address")

// ErrBadTarget is returned (wrapped) for a target that cannot be a device:
// empty, unresolvable, multicast, broadcast or unspecified, or a range
// rather than one host.
var ErrBadTarget = errors.New("not a probe target")

// Address scopes, as recorded in Target.Scope.
const (
	ScopeLoopback     = "loopback"
	ScopePrivate      = "private"      // RFC 1918, RFC 4193 (fc00::/7)
	ScopeLinkLocal    = "link-local"   // 169.254/16, fe80::/10
	ScopeBenchmarking = "benchmarking" // 198.18.0.0/15 (RFC 2544): device test networks
	ScopePublic       = "public"
)

var benchmarking = netip.MustParsePrefix("198.18.0.0/15")

// Scope classifies an address. ok is false for addresses that are never a
// device: unspecified, multicast and the IPv4 broadcast address.
func Scope(a netip.Addr) (scope string, ok bool) {
	a = a.Unmap()
	switch {
	case !a.IsValid() || a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "", false
	case a.IsLoopback():
		return ScopeLoopback, true
	case a.IsPrivate():
		return ScopePrivate, true
	case a.IsLinkLocalUnicast():
		return ScopeLinkLocal, true
	case benchmarking.Contains(a):
		return ScopeBenchmarking, true
	}
	return ScopePublic, true
}

// Resolver looks up host names; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// ResolveTarget turns the lab's target (an IP address or a host name) into
// the one address to probe. Every address the name resolves to must be
// allowed (not public unless allowPublic), so that a name cannot quietly
// point the probe elsewhere; the first IPv4 address (else the first) is
// probed. Errors wrap ErrBadTarget or ErrPublicTarget.
func ResolveTarget(ctx context.Context, r Resolver, name string, allowPublic bool) (Target, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Target{}, fmt.Errorf("%w: no target given", ErrBadTarget)
	}
	if strings.ContainsAny(name, "/ ,*") {
		return Target{}, fmt.Errorf("%w: %q: name one device (an address or a host name), not a range or a list", ErrBadTarget, name)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a.Unmap()}
	} else {
		if r == nil {
			r = net.DefaultResolver
		}
		found, err := r.LookupNetIP(ctx, "ip", host)
		if err != nil || len(found) == 0 {
			return Target{}, fmt.Errorf("%w: %q does not resolve: %v", ErrBadTarget, name, err)
		}
		for _, a := range found {
			addrs = append(addrs, a.Unmap())
		}
	}
	pick := -1
	for i, a := range addrs {
		scope, ok := Scope(a)
		if !ok {
			return Target{}, fmt.Errorf("%w: %s is not a unicast host address", ErrBadTarget, a)
		}
		if scope == ScopePublic && !allowPublic {
			return Target{}, fmt.Errorf("%w: %s (from %q) is not in a loopback, private, link-local or benchmarking range; give --allow-public if the device really is there", ErrPublicTarget, a, name)
		}
		if pick < 0 || (a.Is4() && !addrs[pick].Is4()) {
			pick = i
		}
	}
	a := addrs[pick]
	scope, _ := Scope(a)
	return Target{Name: name, Address: a.String(), Scope: scope}, nil
}
