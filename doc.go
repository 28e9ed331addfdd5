// Package trustmark is the domain of a consumer-IoT cybersecurity label
// program run the way the U.S. Cyber Trust Mark is (47 CFR 8.201–8.222):
// organizations, products, grants, registry records, their validation rules,
// error kinds and the Store interface that persistence adapters implement.
//
// The package imports only the standard library. Adapters live under
// internal/ and the one binary under cmd/trustmark wires them together.
package trustmark
