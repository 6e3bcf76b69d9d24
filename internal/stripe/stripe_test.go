package stripe

import (
	"runtime"
	"sync"
	"testing"
)

func TestHintStableWithinGoroutine(t *testing.T) {
	h := Hint()
	for i := 0; i < 100; i++ {
		if g := Hint(); g != h {
			t.Fatalf("Hint changed within one goroutine at the same depth: %x then %x", h, g)
		}
	}
}

func TestHintSpreadsGoroutines(t *testing.T) {
	const goroutines = 64
	const bits = 8
	var mu sync.Mutex
	seen := map[uint64]int{}
	// All goroutines must be alive at once: a goroutine that has exited
	// hands its stack to the next one, which then shares its hint (as it
	// should: they never run at the same time).
	var ready, done sync.WaitGroup
	ready.Add(goroutines)
	done.Add(goroutines)
	release := make(chan struct{})
	for i := 0; i < goroutines; i++ {
		go func() {
			idx := Index(Hint(), bits)
			mu.Lock()
			seen[idx]++
			mu.Unlock()
			ready.Done()
			<-release
			done.Done()
		}()
	}
	ready.Wait()
	close(release)
	done.Wait()
	// 64 goroutines over 256 stripes: a good spread leaves few collisions.
	// Identical hints (a broken Hint) would give one stripe.
	if len(seen) < goroutines/2 {
		t.Fatalf("64 goroutines landed on only %d distinct stripes of 256", len(seen))
	}
}

func TestIndexRange(t *testing.T) {
	for bits := uint(0); bits <= 10; bits++ {
		for _, h := range []uint64{0, 1, 1 << 63, ^uint64(0), Hint(), Random()} {
			if i := Index(h, bits); i >= 1<<bits {
				t.Fatalf("Index(%x, %d) = %d out of range", h, bits, i)
			}
		}
	}
}

func TestBits(t *testing.T) {
	old := runtime.GOMAXPROCS(3)
	defer runtime.GOMAXPROCS(old)
	if b := Bits(10); b != 4 { // 4*3 = 12 -> 16
		t.Fatalf("Bits with GOMAXPROCS=3 = %d, want 4", b)
	}
	if b := Bits(2); b != 2 {
		t.Fatalf("Bits capped at 2 = %d", b)
	}
}
