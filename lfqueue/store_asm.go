//go:build (amd64 || arm64) && !race

package lfqueue

import (
	"sync/atomic"
	"unsafe"
)

// storeRelease stores v into *stamp with release semantics: every memory
// access before it in program order is visible to a goroutine that loads v
// (with sync/atomic) before that goroutine's later accesses. It is a plain MOV
// on amd64 (a store is a release under x86-TSO; atomic.Store is an XCHG, a
// full fence) and STLR on arm64. It is NOT ordered before later loads: code
// must not rely on it for a store-then-load (Dekker) handshake; see claim.go
// for how the wake protocol avoids needing one.
//
// Builds with -race use atomic.Store instead (store_generic.go), so the race
// detector sees the synchronization.
func storeRelease(stamp *atomic.Uint64, v uint64) {
	storeRelease64((*uint64)(unsafe.Pointer(stamp)), v)
}

//go:noescape
func storeRelease64(addr *uint64, v uint64)

// cpuRelax is the spin-wait hint: PAUSE on amd64, YIELD on arm64. A waiter
// that watches a stamp calls it before every load, so that it reads the
// watched line less often while another core writes near it, and gives the
// CPU's other hardware thread, if any, the pipeline.
func cpuRelax()
