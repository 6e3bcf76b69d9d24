package lfqueue

import (
	"runtime"
	"sync/atomic"
)

// spinLimit is the adaptive spin budget of one side's blocked operations
// (the idea of folly's TurnSequencer): a blocked Push or Pop watches its slot
// for up to limit loads before it parks. After a wait that ended while
// spinning after n loads, the target is 2n; after one that ran out, it is
// the minimum, so spinning stops paying nothing when the partner is not
// running (for example when the host gives the process one core's worth of
// time). The budget follows the targets as a moving average with weight 1/8,
// updated by one wait in spinSample (chosen by position, so that waiters do
// not share a counter), and that wait spins to the maximum regardless, so a
// budget that has dropped can grow again. Lost updates between racing
// waiters only delay the average.
//
// When the budget runs out, a wait yields its P once (runtime.Gosched) and
// watches for minSpin more spins before it gives up. This is for the
// partner that the waiter itself woke: the Go scheduler puts a goroutine
// readied by a channel send on the sender's own P, and another P takes it
// from there only after its thread has been woken, microseconds later on a
// virtual machine; until then a waiter that spins and then parks is what
// keeps its partner from running. Yielding lets the partner run at once.
// On the 2-vCPU host, in a saturated 1x1 handoff of int (20 million items),
// parks fell from one per 3,000 items to one per 80,000, and in 3
// interleaved rounds at -cpu 2 the time per item went from 27.1-29.7 to
// 24.2-25.0 ns (1x1), 26.2-30.8 to 26.0-29.6 (2x2) and 25.4-26.5 to
// 24.3-25.6 (8x8), before Push and Pop had their fast path written out.
//
// Each spin is a cpuRelax hint and a load: about 15 ns on the 2-vCPU Xeon
// lfkit is measured on (PAUSE), so the budget runs from about 0.25 to 15 µs
// there. With GOMAXPROCS 1 nothing can publish into the slot while its
// waiter spins, so waits do not spin at all (they still yield once, for the
// partner that may be waiting to run on the only P); the sampling wait reads
// GOMAXPROCS and keeps the answer in oneP.
type spinLimit struct {
	avg  atomic.Uint32 // moving average of the target, in spins
	oneP atomic.Bool   // GOMAXPROCS was 1 at the last sampling wait
}

const (
	minSpin    = 16
	maxSpin    = 1 << 10
	spinSample = 16
)

// spinTest, when nonzero, replaces the budget in tests (negative: park at
// once, without spinning).
var spinTest atomic.Int32

// wait spins while stamp == old, up to the budget (each spin a cpuRelax hint
// and one load), and reports whether the
// stamp changed (the caller should retry its claim) or the budget ran out
// (the caller should decide, and park). pos is the waiter's position, used
// to pick the sampling waits.
func (l *spinLimit) wait(stamp *atomic.Uint64, old, pos uint64) bool {
	limit := max(l.avg.Load(), minSpin)
	sample := pos%spinSample == 0
	if sample {
		if one := runtime.GOMAXPROCS(0) == 1; one != l.oneP.Load() {
			l.oneP.Store(one)
		}
		limit = maxSpin
	}
	after := uint32(minSpin) // spins after the yield
	if l.oneP.Load() {
		limit, after = 0, 0
	}
	if t := spinTest.Load(); t != 0 {
		if t < 0 {
			return false
		}
		limit = uint32(t)
	}
	for n := uint32(0); n < limit; n++ {
		cpuRelax()
		if stamp.Load() != old {
			if sample {
				l.update(min(2*(n+1), maxSpin))
			}
			return true
		}
	}
	if !yieldOff.Load() {
		// A wait that succeeds only after the yield says that spinning
		// did not pay: its target is the minimum.
		runtime.Gosched()
		for n := uint32(0); ; n++ {
			if stamp.Load() != old {
				if sample {
					l.update(minSpin)
				}
				return true
			}
			if n == after {
				break
			}
			cpuRelax()
		}
	}
	if sample {
		l.update(minSpin)
	}
	return false
}

// yieldOff turns the yield step of spinLimit.wait (and of LockFree's
// lfSpinner) off; tests set it to compare, as spinTest replaces the budget.
var yieldOff atomic.Bool

func (l *spinLimit) update(target uint32) {
	avg := l.avg.Load()
	if avg == 0 {
		l.avg.Store(target)
		return
	}
	l.avg.Store(uint32(int32(avg) + (int32(target)-int32(avg))/8))
}
