// Package archtest holds a test that enforces trustmark's import rules:
// the domain imports only the standard library, adapters never import each
// other, and only cmd wires concrete parts together.
package archtest
