// Package labtest is the lab's network probe: it checks a device under test
// the way test labs check every consumer IoT product (program.md §8; EN 303
// 645 provisions 5.1, 5.5 and 5.6; NIST IR 8425 outcomes 3c and 4a) and turns
// what it saw into evidence for the lab's test report.
//
// A probe runs in stages against one target the lab names, and never
// anything else:
//
//  1. TCP discovery: a connect scan of the profile's ports (all 65,535 in
//     [ProfileFull]), rate-limited and with bounded concurrency;
//  2. service identification from banners and protocol handshakes (SSH,
//     Telnet, FTP, HTTP, TLS and HTTPS, MQTT, RTSP), and UDP discovery of
//     SSDP/UPnP, CoAP and mDNS where the device answers;
//  3. checks per service: default credentials (Telnet, SSH, HTTP basic and
//     digest, FTP, MQTT; at most four concurrent attempts per service,
//     stopping at the first success or at signs of lockout), cleartext and
//     weak transport (TLS versions, cipher suites, certificates),
//     unauthenticated management access (HTTP admin pages, anonymous FTP,
//     MQTT subscribe to "#").
//
// Everything the probe sends and receives is an [Observation] (what was
// sent, what came back, how long it took); conclusions are [Finding]s with
// a verdict, the requirement IDs of NIST IR 8425 and EN 303 645 they bear on
// (data/requirements.json) and the observations that support them. Both
// name their target by address, port and service. [Report.Coverage] turns
// findings into pre-filled results per requirement, which the lab confirms
// or overrides in a [Review] before [Review.TestReport] builds the report
// it attaches.
//
// The probe is polite: it only opens connections and logs in, never
// changes anything on the device (after a successful login it closes the
// session without sending a command); every attempt is logged through the
// [slog.Logger] it is given; the context cancels everything.
package labtest
