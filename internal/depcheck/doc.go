// Package depcheck holds the test that pins what each package of the module may import:
// the third-party modules it may compile in, and the packages of this module below it in the
// layering doc.go describes. A program that only queues builds must not compile a
// Dockerfile parser or a registry client; a pure package must not reach the network.
package depcheck
