//go:build amd64 || arm64 || ppc64 || ppc64le

package pad

// amd64: the spatial prefetcher fetches 64-byte lines in aligned pairs, so
// two words 64 bytes apart still contend.
// arm64: big cores (Apple M-series, some Neoverse) have 128-byte lines.
// ppc64: 128-byte cache lines.
const size = 128
