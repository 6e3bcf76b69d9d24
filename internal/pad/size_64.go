//go:build !amd64 && !arm64 && !ppc64 && !ppc64le && !s390x

package pad

// Every other architecture Go supports has 64-byte (or smaller) lines and no
// adjacent-line prefetch worth padding for.
const size = 64
