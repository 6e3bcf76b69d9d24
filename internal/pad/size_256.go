//go:build s390x

package pad

// s390x: 256-byte cache lines.
const size = 256
