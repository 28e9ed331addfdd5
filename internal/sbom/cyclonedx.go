package sbom

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"trustmark"
)

// cdxVersions are the CycloneDX spec versions accepted: those with a JSON
// form that cyclonedx-go v0.12 decodes.
var cdxVersions = map[string]bool{"1.2": true, "1.3": true, "1.4": true, "1.5": true, "1.6": true, "1.7": true}

func parseCycloneDXJSON(data []byte, specVersion any) (*Document, error) {
	const what = string(trustmark.SBOMCycloneDXJSON)
	sv, ok := specVersion.(string)
	switch {
	case specVersion == nil:
		return nil, trustmark.Errorf(trustmark.KindInvalid, "%s: specVersion is missing", what)
	case !ok || !cdxVersions[sv]:
		return nil, trustmark.Errorf(trustmark.KindInvalid, "%s: specVersion %s is not supported (1.2 to 1.7)", what, jsonValue(specVersion))
	}
	bom, err := decodeCycloneDXJSON(data)
	if err != nil {
		return nil, err
	}
	return fromCycloneDX(trustmark.SBOMCycloneDXJSON, sv, bom)
}

func decodeCycloneDXJSON(data []byte) (*cdx.BOM, error) {
	const what = string(trustmark.SBOMCycloneDXJSON)
	var bom cdx.BOM
	if err := json.Unmarshal(data, &bom); err != nil {
		if errors.Is(err, cdx.ErrInvalidSpecVersion) {
			return nil, trustmark.Errorf(trustmark.KindInvalid, "%s: specVersion is not a CycloneDX version", what)
		}
		return nil, jsonError(what, data, err)
	}
	return &bom, nil
}

func parseCycloneDXXML(data []byte, version string) (*Document, error) {
	const what = string(trustmark.SBOMCycloneDXXML)
	if !cdxVersions[version] {
		return nil, trustmark.Errorf(trustmark.KindInvalid, "%s: CycloneDX %s is not supported (1.2 to 1.7)", what, version)
	}
	bom, err := decodeCycloneDXXML(data)
	if err != nil {
		return nil, err
	}
	return fromCycloneDX(trustmark.SBOMCycloneDXXML, version, bom)
}

func decodeCycloneDXXML(data []byte) (*cdx.BOM, error) {
	const what = string(trustmark.SBOMCycloneDXXML)
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatXML).Decode(&bom); err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, trustmark.Errorf(trustmark.KindInvalid, "%s: invalid XML at line %d: %s", what, se.Line, se.Msg)
		}
		return nil, trustmark.Errorf(trustmark.KindInvalid, "%s: %v", what, err)
	}
	return &bom, nil
}

// fromCycloneDX collects a BOM's components.
func fromCycloneDX(format trustmark.SBOMFormat, specVersion string, bom *cdx.BOM) (*Document, error) {
	doc := &Document{Format: format, SpecVersion: specVersion}
	b := newBuilder(format)
	if md := bom.Metadata; md != nil && md.Component != nil {
		doc.Name, doc.Version = md.Component.Name, md.Component.Version
		if err := addCycloneDX(b, "metadata.component.components", md.Component.Components); err != nil {
			return nil, err
		}
	}
	if err := addCycloneDX(b, "components", bom.Components); err != nil {
		return nil, err
	}
	doc.Components, doc.Warnings = b.comps, b.warnings()
	return doc, nil
}

// addCycloneDX adds components and, depth first, their nested components.
func addCycloneDX(b *builder, path string, comps *[]cdx.Component) error {
	if comps == nil {
		return nil
	}
	for i, c := range *comps {
		p := fmt.Sprintf("%s[%d]", path, i)
		name := c.Name
		if c.Group != "" && c.Name != "" && c.PackageURL == "" {
			name = c.Group + "/" + c.Name // Maven-style group, when no PURL carries it
		}
		err := b.add(p, trustmark.SoftwareComponent{Ref: c.BOMRef, Name: name, Version: c.Version, PURL: c.PackageURL, CPE: c.CPE})
		if err != nil {
			return err
		}
		if err := addCycloneDX(b, p+".components", c.Components); err != nil {
			return err
		}
	}
	return nil
}
