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

// TestKeyDistinctLiveGoroutines: goroutines alive at the same time have
// distinct keys (their stacks are disjoint, each at least 2 KiB). A stack
// that moves (grows, or is shrunk by the GC) frees its old blocks for another
// goroutine, so only goroutines whose key was the same before and after the
// window where all were alive are compared.
func TestKeyDistinctLiveGoroutines(t *testing.T) {
	const goroutines = 256
	before := make([]uint64, goroutines)
	after := make([]uint64, goroutines)
	var warm, ready, done sync.WaitGroup
	warm.Add(goroutines)
	ready.Add(goroutines)
	done.Add(goroutines)
	start, release := make(chan struct{}), make(chan struct{})
	for i := range before {
		go func() {
			defer done.Done()
			// The same blocking calls once first: a stack that must grow
			// for them (under -race it does) grows before the key is taken.
			warm.Done()
			<-start
			before[i] = Key()
			ready.Done()
			<-release // stay alive until every key is taken
			after[i] = Key()
		}()
	}
	warm.Wait()
	close(start)
	ready.Wait()
	close(release)
	done.Wait()
	seen := map[uint64]int{}
	for i, k := range before {
		if after[i] != k {
			continue // the stack moved
		}
		if j, ok := seen[k]; ok {
			t.Fatalf("goroutines %d and %d, alive together, have one key %#x", j, i, k)
		}
		seen[k] = i
	}
	if len(seen) < goroutines/2 {
		t.Fatalf("only %d of %d goroutines kept their key: stacks moved too often to test", len(seen), goroutines)
	}
}
