package atomicx

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentCounterDrain: adders and a drainer run together; every Add
// must be counted by exactly one Drain.
func TestConcurrentCounterDrain(t *testing.T) {
	const adders, per = 4, 50000
	var c Counter
	var drained atomic.Int64
	stop := make(chan struct{})
	drainerDone := make(chan struct{})
	go func() {
		defer close(drainerDone)
		for {
			select {
			case <-stop:
				return
			default:
				drained.Add(c.Drain())
				// Without this, at GOMAXPROCS=1 the adders' Gosched hands
				// the P back here for a whole 10 ms time slice each time.
				runtime.Gosched()
			}
		}
	}()
	// The handle is taken once a quarter of the adds are done, so that the
	// Counter may stripe (the handle makes it) while Adds race to its base
	// word.
	handle := sync.OnceValue(c.Handle)
	var done atomic.Int64
	all := applyAll(t, adders, per, func(v int64) {
		switch v & 3 {
		case 0:
			if done.Add(1) < adders*per/16 {
				c.Add(v)
			} else {
				handle().Add(v)
			}
		case 1:
			c.Inc()
			c.Add(v - 1)
		default:
			c.Add(v)
		}
	})
	close(stop)
	<-drainerDone
	var want int64
	for _, v := range all {
		want += v
	}
	if got := drained.Load() + c.Drain(); got != want {
		t.Fatalf("Σ drains = %d, Σ adds = %d (lost or double-counted %d)", got, want, want-got)
	}
	if c.Load() != 0 {
		t.Fatalf("Load after final Drain = %d", c.Load())
	}
}

func TestCounterZeroValue(t *testing.T) {
	var c Counter
	if c.Load() != 0 || c.Drain() != 0 {
		t.Fatal("zero Counter is not 0")
	}
	c.Inc()
	c.Add(41)
	c.Dec()
	c.Inc()
	if c.Load() != 42 {
		t.Fatalf("Load = %d, want 42", c.Load())
	}
	if d := c.Drain(); d != 42 || c.Load() != 0 {
		t.Fatalf("Drain = %d, then Load = %d", d, c.Load())
	}
}

// TestCounterStripesPadded checks the invariant that no two stripes share a
// false-sharing range: stripe i sits at an aligned base + i*pad.Size.
func TestCounterStripesPadded(t *testing.T) {
	var c Counter
	s := c.stripes()
	seen := map[uintptr]bool{}
	for i := uint64(0); i < 1<<s.bits; i++ {
		addr := uintptrOf(s.at(i))
		if addr%padSize != 0 {
			t.Fatalf("stripe %d at %#x is not aligned to %d", i, addr, padSize)
		}
		r := addr / padSize
		if seen[r] {
			t.Fatalf("stripe %d shares range %#x", i, r*padSize)
		}
		seen[r] = true
		lo, hi := uintptrOf(&s.mem[0]), uintptrOf(&s.mem[len(s.mem)-1])+padSize
		if addr < lo || addr+8 > hi {
			t.Fatalf("stripe %d at %#x outside its allocation [%#x,%#x)", i, addr, lo, hi)
		}
	}
	if want := 1 << s.bits; len(seen) != want {
		t.Fatalf("%d stripes, want %d", len(seen), want)
	}
	// The header that every Add reads keeps off the words Handle and the
	// rehash write.
	if off := uintptrOf(&s.next) - uintptrOf(s); off < padSize {
		t.Fatalf("Handle's word is %d bytes into the stripes header, want ≥ %d", off, padSize)
	}
}

func TestCounterNoAllocs(t *testing.T) {
	var c Counter
	c.Inc()
	h := c.Handle()
	runtime.GC()
	if n := testing.AllocsPerRun(1000, func() { c.Add(3); h.Inc(); _ = c.Load() }); n != 0 {
		t.Fatalf("Add/Handle.Inc/Load allocate %v per run", n)
	}
	// The sampled path too: keys in turn make a stripe look contended, and
	// its samples draw multipliers.
	st := &c.stripes().at(0).word
	key := uint64(0)
	if n := testing.AllocsPerRun(10000, func() { key++; c.sample(st, key&15+1) }); n != 0 {
		t.Fatalf("a sampled Add that finds its stripe contended allocates %v per run", n)
	}
}
