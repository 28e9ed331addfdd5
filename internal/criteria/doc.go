// Package criteria holds trustmark's criteria catalogs, the mappings between
// them, and the evaluation that reads one assessment across schemes.
//
// Catalogs are OSCAL 1.1.3 catalog documents embedded in the binary, one file
// per catalog and version under catalogs/: NIST IR 8425, NIST IR 8425A
// (structure only), ETSI EN 303 645 V2.1.1, UK PSTI, Singapore CLS and EU CRA
// Annex I. Requirement statements are trustmark paraphrases; every requirement
// carries a source and a provenance prop saying where it was checked (see
// docs/criteria.md).
//
// OSCAL 1.1.3 has no mapping model, so mappings use the small JSON format
// documented on [Mapping], embedded under mappings/. Each entry relates one
// source requirement to a set of target requirements as equivalent, subset,
// superset or intersects.
//
// Everything is reached through a [Set], built once with [Embedded] (or
// [Load] for other data) and passed to whoever needs it.
package criteria
