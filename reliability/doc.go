// Package reliability holds baseflow's cross-package reliability and security suites, in its
// test files only: registry faults injected by a reverse proxy in front of a real registry
// while a whole stale-image check runs, hostile and malformed input end to end, image-info
// writes killed half way, and secrets kept out of every output stream of the example
// commands. RELIABILITY.md at the repository root lists each case with the test that covers
// it.
package reliability
