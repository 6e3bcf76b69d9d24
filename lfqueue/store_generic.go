//go:build !(amd64 || arm64) || race

package lfqueue

import "sync/atomic"

// storeRelease stores v into *stamp. On this platform (or with -race) it is
// atomic.Store, which is at least a release store; see store_asm.go.
func storeRelease(stamp *atomic.Uint64, v uint64) { stamp.Store(v) }

// cpuRelax is the spin-wait hint (see store_asm.go); a no-op here.
func cpuRelax() {}
