// Package sbom reads software bills of materials and VEX documents, with
// the formats' own Go libraries: CycloneDX (JSON and XML, spec 1.2–1.7,
// github.com/CycloneDX/cyclonedx-go) and SPDX 2.x (JSON and tag-value,
// github.com/spdx/tools-golang), package URLs with
// github.com/package-url/packageurl-go. OpenVEX and CSAF VEX are read with
// small structs of our own; CycloneDX VEX is a CycloneDX BOM.
//
// [Parse] turns a document into the components matching needs
// ([trustmark.SoftwareComponent]), flattening nested components, merging
// duplicates and warning about what cannot be matched. [ParseVEX] turns a
// VEX document into [trustmark.VEXStatement]s. Both refuse malformed input
// with a *trustmark.Error of KindInvalid whose message names the format
// detected and where the fault is, so the web layer can answer 400 with it.
package sbom
