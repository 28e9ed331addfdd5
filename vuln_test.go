package trustmark_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"trustmark"
)

func TestCPEVendorProduct(t *testing.T) {
	tests := []struct {
		cpe, want string
	}{
		{"cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*", "openssl:openssl"},
		{"cpe:2.3:o:Linux:Linux_Kernel:6.1:*:*:*:*:*:*:*", "linux:linux_kernel"},
		{`cpe:2.3:a:hewlett\-packard:insight\:diag:7.4:*:*:*:*:*:*:*`, "hewlett-packard:insight:diag"},
		{"cpe:2.3:a:nodejs:node.js", "nodejs:node.js"},
		{"cpe:/a:haxx:curl:7.88.1", "haxx:curl"},
		{"cpe:/a:acme%21:widget", "acme!:widget"},
		{"cpe:2.3:a:*:openssl:3.0:*:*:*:*:*:*:*", ""},
		{"cpe:2.3:a:openssl:-:3.0:*:*:*:*:*:*:*", ""},
		{"cpe:2.3:a:openssl", ""},
		{"cpe:/a:haxx", ""},
		{"openssl:openssl", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := trustmark.CPEVendorProduct(tt.cpe); got != tt.want {
			t.Errorf("CPEVendorProduct(%q) = %q, want %q", tt.cpe, got, tt.want)
		}
	}
}

func TestSoftwareComponentKey(t *testing.T) {
	tests := []struct {
		c    trustmark.SoftwareComponent
		want string
	}{
		{trustmark.SoftwareComponent{Name: "lodash", Version: "4.17.20", PURL: "pkg:npm/lodash@4.17.20"}, "pkg:npm/lodash@4.17.20"},
		{trustmark.SoftwareComponent{Name: "blob", Version: "2"}, "blob@2"},
		{trustmark.SoftwareComponent{Name: "blob"}, "blob"},
	}
	for _, tt := range tests {
		if got := tt.c.Key(); got != tt.want {
			t.Errorf("%+v.Key() = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestSBOMPrepare(t *testing.T) {
	doc := []byte(`{"bomFormat":"CycloneDX"}`)
	s := &trustmark.SBOM{ProductID: "prd_1", ProductVersion: "1.0", Format: trustmark.SBOMCycloneDXJSON, UploadedBy: "user_a",
		UploadedAt: time.Now(), Document: doc, Components: []trustmark.SoftwareComponent{{Name: "zlib"}}}
	if err := s.Prepare(); err != nil {
		t.Fatalf("Prepare() = %v", err)
	}
	if len(s.SHA256) != 64 || s.Size != len(doc) {
		t.Errorf("Prepare() set SHA-256 %q and size %d; want the document's", s.SHA256, s.Size)
	}
	tests := []struct {
		name  string
		edit  func(s *trustmark.SBOM)
		field string
	}{
		{"valid", func(*trustmark.SBOM) {}, ""},
		{"format", func(s *trustmark.SBOM) { s.Format = "cyclonedx" }, "format"},
		{"hash", func(s *trustmark.SBOM) { s.SHA256 = strings.Repeat("0", 64) }, "sha256"},
		{"size", func(s *trustmark.SBOM) { s.Size++ }, "size"},
		{"document", func(s *trustmark.SBOM) { s.Document = nil }, "document"},
		{"upload time", func(s *trustmark.SBOM) { s.UploadedAt = time.Time{} }, "uploaded_at"},
		{"component name", func(s *trustmark.SBOM) { s.Components[0].Name = " " }, "components[0].name"},
		{"half a package key", func(s *trustmark.SBOM) { s.Components[0].Ecosystem = "npm" }, "components[0]"},
	}
	for _, tt := range tests {
		c := *s
		c.Components = append([]trustmark.SoftwareComponent(nil), s.Components...)
		tt.edit(&c)
		checkField(t, tt.name, c.Validate(), tt.field)
	}
}

// checkField checks that err is nil when field is "", and otherwise a
// KindInvalid error about field.
func checkField(t *testing.T, name string, err error, field string) {
	t.Helper()
	var e *trustmark.Error
	switch {
	case field == "" && err != nil:
		t.Errorf("%s: Validate() = %v, want nil", name, err)
	case field != "" && (!errors.As(err, &e) || e.Kind != trustmark.KindInvalid || e.Field != field):
		t.Errorf("%s: Validate() = %v, want an invalid %s", name, err, field)
	}
}

func TestWebhookValidate(t *testing.T) {
	tests := []struct {
		url, field string
	}{
		{"https://maker.example/hooks/a", ""},
		{"http://localhost:8080/hook", ""},
		{"http://127.0.0.1:8080/hook", ""},
		{"http://[::1]:8080/hook", ""},
		{"http://maker.example/hooks/a", "url"},
		{"http://localhost.maker.example/hook", "url"},
		{"https://user:pw@maker.example/hook", "url"},
		{"ftp://maker.example/hooks/a", "url"},
	}
	for _, tt := range tests {
		w := &trustmark.Webhook{OrgID: "org_1", URL: tt.url, Secret: []byte("k")}
		checkField(t, tt.url, w.Validate(), tt.field)
	}
}

func TestValidateAdvisories(t *testing.T) {
	ok := &trustmark.Advisory{ID: "GHSA-1", Severity: trustmark.SeverityLow, Modified: time.Now(), OSV: []byte(`{}`),
		Packages: []trustmark.PackageKey{{Ecosystem: "npm", Name: "x"}}}
	bad := *ok
	bad.OSV = []byte("not json")
	if err := trustmark.ValidateAdvisories([]*trustmark.Advisory{ok, ok}); err != nil {
		t.Errorf("ValidateAdvisories(valid) = %v", err)
	}
	err := trustmark.ValidateAdvisories([]*trustmark.Advisory{ok, &bad})
	if !trustmark.IsKind(err, trustmark.KindInvalid) || !strings.Contains(trustmark.PublicMessage(err), "advisory 2 of 2 (GHSA-1)") {
		t.Errorf("ValidateAdvisories(bad second) = %v; want an invalid error naming advisory 2 of 2", err)
	}
	if err := trustmark.ValidateAdvisories([]*trustmark.Advisory{&bad}); !trustmark.IsKind(err, trustmark.KindInvalid) || strings.Contains(err.Error(), "of 1") {
		t.Errorf("ValidateAdvisories(one bad) = %v; want the advisory's own error", err)
	}
}
