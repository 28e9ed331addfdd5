package sbom

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/tagvalue"

	"trustmark"
)

// spdxVersions are the SPDX versions tools-golang v0.5 reads (and
// converts to its 2.3 model).
var spdxVersions = map[string]bool{"SPDX-2.1": true, "SPDX-2.2": true, "SPDX-2.3": true}

func parseSPDXJSON(data []byte, version any) (*Document, error) {
	const what = string(trustmark.SBOMSPDXJSON)
	v, ok := version.(string)
	if !ok || !spdxVersions[v] {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "%s: spdxVersion %s is not supported (SPDX-2.1, SPDX-2.2 or SPDX-2.3)", what, jsonValue(version))
	}
	doc, err := spdxjson.Read(bytes.NewReader(data))
	if err != nil {
		return nil, jsonError(what, data, err)
	}
	return fromSPDX(trustmark.SBOMSPDXJSON, v, doc, spdxJSONFields)
}

func parseSPDXTagValue(data []byte) (*Document, error) {
	const what = string(trustmark.SBOMSPDXTagValue)
	v := tagValue(data, "SPDXVersion")
	if !spdxVersions[v] {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "%s: SPDXVersion %q is not supported (SPDX-2.1, SPDX-2.2 or SPDX-2.3)", what, v)
	}
	doc, err := tagvalue.Read(bytes.NewReader(data))
	if err != nil {
		msg := err.Error()
		if line := lineOf(data, msg); line > 0 {
			return nil, trustmark.Errorf(trustmark.KindInvalid, "%s: line %d: %s", what, line, msg)
		}
		return nil, trustmark.Errorf(trustmark.KindInvalid, "%s: %s", what, msg)
	}
	return fromSPDX(trustmark.SBOMSPDXTagValue, v, doc, spdxTagFields)
}

// tagValue returns the value of the first line "Tag: value".
func tagValue(data []byte, tag string) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), tag+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// quoted finds the text tools-golang quotes in its messages.
var quoted = regexp.MustCompile(`'([^']{3,})'`)

// lineOf returns the line of the text an error message quotes, or 0.
func lineOf(data []byte, msg string) int {
	m := quoted.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, m[1]) {
			return i + 1
		}
	}
	return 0
}

// spdxFields names the required document fields as each format spells them.
type spdxFields struct {
	id, name, namespace, dataLicense, creationInfo, created, creators string
}

var (
	spdxJSONFields = spdxFields{"SPDXID", "name", "documentNamespace", "dataLicense", "creationInfo", "creationInfo.created", "creationInfo.creators"}
	spdxTagFields  = spdxFields{"SPDXID", "DocumentName", "DocumentNamespace", "DataLicense", "creation info (Creator, Created)", "Created", "Creator"}
)

// fromSPDX checks the fields SPDX 2.3 §6 requires of a document and
// collects its packages.
func fromSPDX(format trustmark.SBOMFormat, version string, d *spdx.Document, f spdxFields) (*Document, error) {
	b := newBuilder(format)
	missing := func(field, section string) error {
		return b.fail("the document has no %s (required by SPDX 2.3 §%s)", field, section)
	}
	switch {
	case d.SPDXIdentifier == "":
		return nil, missing(f.id, "6.3")
	case strings.TrimSpace(d.DocumentName) == "":
		return nil, missing(f.name, "6.4")
	case strings.TrimSpace(d.DocumentNamespace) == "":
		return nil, missing(f.namespace, "6.5")
	case d.DataLicense == "":
		return nil, missing(f.dataLicense, "6.2")
	case d.CreationInfo == nil:
		return nil, missing(f.creationInfo, "6.8, 6.9")
	case len(d.CreationInfo.Creators) == 0:
		return nil, missing(f.creators, "6.8")
	case strings.TrimSpace(d.CreationInfo.Created) == "":
		return nil, missing(f.created, "6.9")
	}
	doc := &Document{Format: format, SpecVersion: version, Name: d.DocumentName}
	primary := describedPackage(d)
	for i, p := range d.Packages {
		if p == nil {
			continue
		}
		path := fmt.Sprintf("packages[%d]", i)
		if p.PackageSPDXIdentifier == "" {
			return nil, b.fail("%s (%s) has no SPDXID (required by SPDX 2.3 §7.2)", path, p.PackageName)
		}
		if strings.TrimSpace(p.PackageName) == "" {
			return nil, b.fail("%s (%s) has no name (required by SPDX 2.3 §7.1)", path, common.RenderElementID(p.PackageSPDXIdentifier))
		}
		if p.PackageSPDXIdentifier == primary {
			doc.Name, doc.Version = p.PackageName, p.PackageVersion
			continue
		}
		c := trustmark.SoftwareComponent{Ref: common.RenderElementID(p.PackageSPDXIdentifier), Name: p.PackageName, Version: p.PackageVersion}
		for _, ref := range p.PackageExternalReferences {
			if ref == nil {
				continue
			}
			switch category := strings.ToUpper(strings.ReplaceAll(ref.Category, "_", "-")); {
			case category == "PACKAGE-MANAGER" && ref.RefType == "purl" && c.PURL == "":
				c.PURL = ref.Locator
			case category == "SECURITY" && (ref.RefType == "cpe23Type" || ref.RefType == "cpe22Type") && c.CPE == "":
				c.CPE = ref.Locator
			}
		}
		if err := b.add(path+" ("+c.Ref+")", c); err != nil {
			return nil, err
		}
	}
	doc.Components, doc.Warnings = b.comps, b.warnings()
	return doc, nil
}

// describedPackage returns the one package the document DESCRIBES, or ""
// when it describes none or several (then all are components).
func describedPackage(d *spdx.Document) common.ElementID {
	packages := map[common.ElementID]bool{}
	for _, p := range d.Packages {
		if p != nil {
			packages[p.PackageSPDXIdentifier] = true
		}
	}
	described := map[common.ElementID]bool{}
	for _, r := range d.Relationships {
		if r == nil || r.RefA.DocumentRefID != "" || r.RefB.DocumentRefID != "" {
			continue
		}
		switch {
		case r.Relationship == common.TypeRelationshipDescribe && r.RefA.ElementRefID == d.SPDXIdentifier:
			described[r.RefB.ElementRefID] = true
		case r.Relationship == common.TypeRelationshipDescribeBy && r.RefB.ElementRefID == d.SPDXIdentifier:
			described[r.RefA.ElementRefID] = true
		}
	}
	var only common.ElementID
	n := 0
	for id := range described {
		if packages[id] {
			only = id
			n++
		}
	}
	if n != 1 {
		return ""
	}
	return only
}
