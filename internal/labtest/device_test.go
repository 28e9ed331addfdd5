package labtest_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// This file starts the "devices" the probe is tested against: real daemons
// from Debian's packages, each bound to its own loopback address inside the
// tests' private network namespace (see TestMain), with planted weaknesses
// (the weak device) or none (the hardened control).

// Debian packages that provide the daemons (what .ci/run installs).
const packagesHint = "busybox-static dropbear-bin vsftpd lighttpd lighttpd-mod-openssl mosquitto openssl"

// needLab skips (or under CI fails) unless the test runs in its private
// namespaces with the named programs installed.
func needLab(t *testing.T, programs ...string) {
	t.Helper()
	if !inLab() {
		skipOrFail(t, "device tests need root to create a private network namespace (unshare --net); run go test as root")
	}
	var missing []string
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		skipOrFail(t, "device daemons missing: %s (apt-get install %s)", strings.Join(missing, ", "), packagesHint)
	}
	if contains(programs, "busybox") {
		out, _ := exec.Command("busybox", "--list").Output()
		if !strings.Contains(string(out), "telnetd\n") {
			skipOrFail(t, "this busybox has no telnetd applet (Debian's busybox-static has it)")
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// labDir is a directory for one device's files, readable by the daemons'
// unprivileged users (vsftpd's ftp user, a logged-in shell).
func labDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "trustmark-lab-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// accounts writes a passwd and a shadow file with the given users and
// passwords (SHA-512 crypt, as Debian stores them).
func accounts(t *testing.T, dir string, users map[string]string) (passwd, shadow string) {
	t.Helper()
	var pw, sh strings.Builder
	pw.WriteString("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
	pw.WriteString("ftp:x:101:101:ftp:" + filepath.Join(dir, "ftproot") + ":/usr/sbin/nologin\n")
	sh.WriteString("nobody:*:19000:0:99999:7:::\nftp:*:19000:0:99999:7:::\n")
	uid := 1000
	for _, name := range []string{"root", "admin"} {
		pass, ok := users[name]
		if !ok {
			continue
		}
		home := filepath.Join(dir, "home", name)
		os.MkdirAll(home, 0o755)
		id := uid
		if name == "root" {
			id = 0
		} else {
			uid++
		}
		os.Chown(home, id, id)
		fmt.Fprintf(&pw, "%s:x:%d:%d:%s:%s:/bin/sh\n", name, id, id, name, home)
		out, err := exec.Command("openssl", "passwd", "-6", pass).Output()
		if err != nil {
			t.Fatalf("openssl passwd: %v", err)
		}
		fmt.Fprintf(&sh, "%s:%s:19000:0:99999:7:::\n", name, strings.TrimSpace(string(out)))
	}
	return writeFile(t, filepath.Join(dir, "passwd"), pw.String(), 0o644), writeFile(t, filepath.Join(dir, "shadow"), sh.String(), 0o600)
}

// daemon is one running server process.
type daemon struct {
	name string
	cmd  *exec.Cmd
	out  *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs a daemon until the test ends. With accounts (passwd and
// shadow paths), the daemon runs in a mount namespace of its own where
// those files are bind-mounted over /etc/passwd and /etc/shadow: the
// device's users exist for it alone, and the machine's are untouched.
func start(t *testing.T, name string, acct []string, argv ...string) *daemon {
	t.Helper()
	if len(acct) == 2 {
		argv = append([]string{"unshare", "--mount", "--", "sh", "-c",
			`mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/shadow && shift 2 && exec "$@"`, "sh", acct[0], acct[1]}, argv...)
	}
	d := &daemon{name: name, out: &lockedBuffer{}}
	d.cmd = exec.Command(argv[0], argv[1:]...)
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		d.cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, d.out.String())
		}
	})
	return d
}

// waitListening waits until addr:port accepts connections.
func waitListening(t *testing.T, d *daemon, addr string, port int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", net.JoinHostPort(addr, fmt.Sprint(port)), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if d.cmd.ProcessState != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not listen on %s:%d; its output:\n%s", d.name, addr, port, d.out.String())
}

// hostKeys makes the SSH host keys a device generates on first boot.
func hostKeys(t *testing.T, dir string) []string {
	t.Helper()
	var args []string
	for _, typ := range []string{"rsa", "ecdsa", "ed25519"} {
		path := filepath.Join(dir, "dropbear_"+typ+"_host_key")
		if out, err := exec.Command("dropbearkey", "-t", typ, "-f", path).CombinedOutput(); err != nil {
			t.Fatalf("dropbearkey -t %s: %v: %s", typ, err, out)
		}
		args = append(args, "-r", path)
	}
	return args
}

// pemBlock encodes DER as PEM.
func pemBlock(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// weakCertificate is what cheap devices ship: self-signed, RSA 1024,
// expired, naming a host that is not the device.
func weakCertificate(t *testing.T, dir string) (certPath, keyPath string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "ipcam.local", Organization: []string{"Cheap Cam Co"}},
		DNSNames:     []string{"ipcam.local"},
		NotBefore:    time.Now().AddDate(-3, 0, 0),
		NotAfter:     time.Now().AddDate(-1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, filepath.Join(dir, "weak.pem"), pemBlock("CERTIFICATE", der), 0o644),
		writeFile(t, filepath.Join(dir, "weak.key"), pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key)), 0o600)
}

// goodCertificate is a device certificate from the manufacturer's CA:
// ECDSA P-256, current, naming the device's address.
func goodCertificate(t *testing.T, dir, addr string) (caPath, certPath, keyPath string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Hardened Devices Device CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0),
		KeyUsage: x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: addr},
		IPAddresses: []net.IP{net.ParseIP(addr)},
		NotBefore:   time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	return writeFile(t, filepath.Join(dir, "ca.pem"), pemBlock("CERTIFICATE", caDER), 0o644),
		writeFile(t, filepath.Join(dir, "device.pem"), pemBlock("CERTIFICATE", der), 0o644),
		writeFile(t, filepath.Join(dir, "device.key"), pemBlock("EC PRIVATE KEY", keyDER), 0o600)
}

// strongPassword is a unique per-device password, as a hardened device
// would have printed on its label.
func strongPassword() string {
	b := make([]byte, 18)
	rand.Read(b)
	sum := sha256.Sum256(b)
	return "Hd-" + hex.EncodeToString(sum[:12])
}

// pair is a username and password.
type pair struct{ user, pass string }

// device is a started device and its truth table.
type device struct {
	addr string
	// ports are the open TCP ports and their services.
	ports map[int]string
	// fails lists the failing findings the probe must make, as kind@port
	// (a kind repeated when it must appear more than once).
	fails []string
	// valid are, per port, the pairs that log in (a credential finding
	// must name one of them).
	valid map[int][]pair
	// caFile verifies the device's certificates, when it has a CA.
	caFile string
}

// weakDevice starts the weak device on addr: the weaknesses labs find on
// cheap cameras and hubs.
//
//	port  daemon                 planted weakness
//	21    vsftpd                 FTP (cleartext), anonymous login, admin/admin
//	22    dropbear               root/xc3511 and admin/admin (Mirai pairs)
//	23    busybox telnetd        Telnet (cleartext), root/xc3511, admin/admin
//	80    lighttpd               plain HTTP; /setup.html open; Basic admin/admin
//	                             on /admin; Digest admin/password on /cam
//	443   openssl s_server       TLS 1.0 only, static-RSA suite, self-signed
//	                             expired RSA-1024 certificate for ipcam.local
//	1883  mosquitto              MQTT without TLS, anonymous, subscribe to #
func weakDevice(t *testing.T, addr string) *device {
	t.Helper()
	needLab(t, "busybox", "dropbear", "dropbearkey", "vsftpd", "lighttpd", "mosquitto", "openssl", "unshare")
	dir := labDir(t)
	passwd, shadow := accounts(t, dir, map[string]string{"root": "xc3511", "admin": "admin"})
	acct := []string{passwd, shadow}
	os.MkdirAll(filepath.Join(dir, "ftproot"), 0o755)
	os.MkdirAll(filepath.Join(dir, "empty"), 0o755)

	login := writeFile(t, filepath.Join(dir, "login"), "#!/bin/sh\nexec busybox login \"$@\"\n", 0o755)
	telnetd := start(t, "busybox telnetd", acct, "busybox", "telnetd", "-F", "-b", addr+":23", "-l", login)

	ssh := start(t, "dropbear", acct, append([]string{"dropbear", "-F", "-E", "-p", addr + ":22", "-P", filepath.Join(dir, "dropbear.pid")}, hostKeys(t, dir)...)...)

	ftpConf := writeFile(t, filepath.Join(dir, "vsftpd.conf"), strings.Join([]string{
		"listen=YES", "listen_address=" + addr, "listen_port=21", "background=NO",
		"anonymous_enable=YES", "anon_root=" + filepath.Join(dir, "ftproot"), "ftp_username=ftp",
		"local_enable=YES", "secure_chroot_dir=" + filepath.Join(dir, "empty"), "pam_service_name=vsftpd",
		"seccomp_sandbox=NO", "xferlog_enable=NO", ""}, "\n"), 0o644)
	ftp := start(t, "vsftpd", acct, "vsftpd", ftpConf)

	www := filepath.Join(dir, "www")
	writeFile(t, filepath.Join(www, "index.html"), "<html><body><h1>IP Camera</h1><a href=\"/admin/\">Administration</a></body></html>\n", 0o644)
	writeFile(t, filepath.Join(www, "setup.html"), "<html><body><h1>Device settings</h1><p>Wi-Fi SSID: cam-1234</p>"+
		"<p>Firmware upgrade</p><p>Factory reset</p></body></html>\n", 0o644)
	writeFile(t, filepath.Join(www, "admin", "index.html"), "<html>Administration: firmware, reboot</html>\n", 0o644)
	writeFile(t, filepath.Join(www, "cam", "index.html"), "<html>Live view</html>\n", 0o644)
	users := writeFile(t, filepath.Join(dir, "lighttpd.users"), "admin:admin\n", 0o644)
	ha1 := fmt.Sprintf("%x", md5sum("admin:camera:password"))
	digest := writeFile(t, filepath.Join(dir, "lighttpd.htdigest"), "admin:camera:"+ha1+"\n", 0o644)
	webConf := writeFile(t, filepath.Join(dir, "lighttpd.conf"), fmt.Sprintf(`server.document-root = %q
server.bind = %q
server.port = 80
server.modules = ("mod_auth", "mod_authn_file")
server.errorlog = %q
index-file.names = ("index.html")
mimetype.assign = (".html" => "text/html")
auth.backend.plain.userfile = %q
auth.backend.htdigest.userfile = %q
$HTTP["url"] =~ "^/admin" { auth.backend = "plain" auth.require = ("" => ("method" => "basic", "realm" => "admin", "require" => "valid-user")) }
$HTTP["url"] =~ "^/cam" { auth.backend = "htdigest" auth.require = ("" => ("method" => "digest", "realm" => "camera", "require" => "valid-user")) }
`, www, addr, filepath.Join(dir, "lighttpd.err"), users, digest), 0o644)
	web := start(t, "lighttpd", nil, "lighttpd", "-D", "-f", webConf)

	cert, key := weakCertificate(t, dir)
	tlsd := start(t, "openssl s_server", nil, "openssl", "s_server", "-quiet", "-tls1", "-cipher", "AES128-SHA:ECDHE-RSA-AES128-SHA:@SECLEVEL=0",
		"-accept", addr+":443", "-cert", cert, "-key", key, "-www")

	mqttConf := writeFile(t, filepath.Join(dir, "mosquitto.conf"), fmt.Sprintf("user root\npersistence false\nlistener 1883 %s\nallow_anonymous true\n", addr), 0o644)
	mqtt := start(t, "mosquitto", nil, "mosquitto", "-c", mqttConf)

	for port, d := range map[int]*daemon{23: telnetd, 22: ssh, 21: ftp, 80: web, 443: tlsd, 1883: mqtt} {
		waitListening(t, d, addr, port)
	}
	return &device{
		addr:  addr,
		ports: map[int]string{21: "ftp", 22: "ssh", 23: "telnet", 80: "http", 443: "https", 1883: "mqtt"},
		fails: []string{
			"cleartext-service@21", "cleartext-credentials@21", "unauthenticated-access@21", "default-credentials@21",
			"default-credentials@22",
			"cleartext-service@23", "cleartext-credentials@23", "default-credentials@23",
			"unauthenticated-access@80", "cleartext-service@80", "cleartext-credentials@80", "default-credentials@80", "default-credentials@80",
			"tls-protocol-version@443", "tls-weak-cipher@443", "tls-self-signed@443", "tls-expired-certificate@443",
			"tls-hostname-mismatch@443", "tls-weak-key@443",
			"cleartext-service@1883", "unauthenticated-access@1883", "mqtt-subscribe-all@1883",
		},
		valid: map[int][]pair{
			21: {{"admin", "admin"}, {"anonymous", "probe@trustmark.invalid"}},
			22: {{"root", "xc3511"}, {"admin", "admin"}},
			23: {{"root", "xc3511"}, {"admin", "admin"}},
			80: {{"admin", "admin"}, {"admin", "password"}},
			// Anonymous MQTT: no username, no password.
			1883: {{"", ""}},
		},
	}
}

// controlDevice starts the hardened control on addr: a strong unique
// password, TLS 1.3 only with a certificate from the manufacturer's CA, no
// cleartext port.
//
//	port  daemon                    configuration
//	22    dropbear                  root with a strong unique password
//	443   lighttpd + mod_openssl    TLS 1.3 only, Basic auth with a strong password
//	8883  mosquitto                 MQTT over TLS 1.3, password file, no anonymous
func controlDevice(t *testing.T, addr string) *device {
	t.Helper()
	needLab(t, "dropbear", "dropbearkey", "lighttpd", "mosquitto", "mosquitto_passwd", "openssl", "unshare")
	if _, err := os.Stat("/usr/lib/lighttpd/mod_openssl.so"); err != nil {
		skipOrFail(t, "lighttpd has no TLS module (apt-get install lighttpd-mod-openssl)")
	}
	dir := labDir(t)
	rootPass, webPass, mqttPass := strongPassword(), strongPassword(), strongPassword()
	passwd, shadow := accounts(t, dir, map[string]string{"root": rootPass})
	ssh := start(t, "dropbear", []string{passwd, shadow},
		append([]string{"dropbear", "-F", "-E", "-p", addr + ":22", "-P", filepath.Join(dir, "dropbear.pid")}, hostKeys(t, dir)...)...)

	ca, cert, key := goodCertificate(t, dir, addr)
	www := filepath.Join(dir, "www")
	writeFile(t, filepath.Join(www, "index.html"), "<html><body>Device settings: firmware, reboot, Wi-Fi</body></html>\n", 0o644)
	users := writeFile(t, filepath.Join(dir, "lighttpd.users"), "admin:"+webPass+"\n", 0o644)
	webConf := writeFile(t, filepath.Join(dir, "lighttpd.conf"), fmt.Sprintf(`server.document-root = %q
server.bind = %q
server.port = 443
server.modules = ("mod_openssl", "mod_auth", "mod_authn_file")
server.errorlog = %q
index-file.names = ("index.html")
mimetype.assign = (".html" => "text/html")
ssl.engine = "enable"
ssl.pemfile = %q
ssl.privkey = %q
ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1.3")
auth.backend = "plain"
auth.backend.plain.userfile = %q
auth.require = ("" => ("method" => "basic", "realm" => "device", "require" => "valid-user"))
`, www, addr, filepath.Join(dir, "lighttpd.err"), cert, key, users), 0o644)
	web := start(t, "lighttpd", nil, "lighttpd", "-D", "-f", webConf)

	mqttPasswd := filepath.Join(dir, "mosquitto.passwd")
	if out, err := exec.Command("mosquitto_passwd", "-b", "-c", mqttPasswd, "device", mqttPass).CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_passwd: %v: %s", err, out)
	}
	mqttConf := writeFile(t, filepath.Join(dir, "mosquitto.conf"), fmt.Sprintf(`user root
persistence false
listener 8883 %s
allow_anonymous false
password_file %s
cafile %s
certfile %s
keyfile %s
tls_version tlsv1.3
`, addr, mqttPasswd, ca, cert, key), 0o644)
	mqtt := start(t, "mosquitto", nil, "mosquitto", "-c", mqttConf)

	for port, d := range map[int]*daemon{22: ssh, 443: web, 8883: mqtt} {
		waitListening(t, d, addr, port)
	}
	return &device{
		addr:   addr,
		ports:  map[int]string{22: "ssh", 443: "https", 8883: "mqtt-tls"},
		caFile: ca,
	}
}
