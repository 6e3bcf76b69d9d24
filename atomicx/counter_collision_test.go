package atomicx

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// stripeWorker is a goroutine that adds to a Counter on command, always from
// the same frame (so from the same stack key), and reports when done.
type stripeWorker struct {
	cmd  chan int
	done chan struct{}
}

func startStripeWorker(c *Counter, wg *sync.WaitGroup) *stripeWorker {
	w := &stripeWorker{cmd: make(chan int), done: make(chan struct{})}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := range w.cmd {
			for i := range n {
				c.Add(1)
				if i%16 == 15 {
					runtime.Gosched() // interleave the pair even on one P
				}
			}
			w.done <- struct{}{}
		}
	}()
	return w
}

func (w *stripeWorker) run(n int) { w.cmd <- n; <-w.done }

// hitStripe returns the stripe that one Add by w went to.
func hitStripe(t *testing.T, c *Counter, w *stripeWorker) uint64 {
	t.Helper()
	s := c.stripes()
	before := make([]int64, 1<<s.bits)
	for i := range before {
		before[i] = s.at(uint64(i)).n.Load()
	}
	w.run(1)
	for i := range before {
		if s.at(uint64(i)).n.Load() != before[i] {
			return uint64(i)
		}
	}
	t.Fatal("an Add changed no stripe")
	return 0
}

// TestConcurrentCounterCollisionParts: two goroutines whose stacks hash to one stripe
// must not stay together. It finds such a pair (stripes+1 live goroutines:
// two must share a stripe), checks that they still share it, lets the pair
// add concurrently in rounds, and passes once a whole round keeps them on
// different stripes (no stripe got more than one goroutine's adds).
func TestConcurrentCounterCollisionParts(t *testing.T) {
	var c Counter
	s := c.stripes()
	var wg sync.WaitGroup
	workers := make([]*stripeWorker, 1<<s.bits+1)
	defer func() {
		for _, w := range workers {
			close(w.cmd)
		}
		wg.Wait()
	}()
	byStripe := map[uint64]int{}
	var a, b *stripeWorker
	for i := range workers {
		workers[i] = startStripeWorker(&c, &wg)
		workers[i].run(1) // grow its stack first if the loop needs it to
		idx := hitStripe(t, &c, workers[i])
		if j, ok := byStripe[idx]; ok && a == nil {
			a, b = workers[j], workers[i]
		}
		byStripe[idx] = i
	}
	if a == nil {
		t.Fatal("no two of stripes+1 goroutines shared a stripe")
	}
	if hitStripe(t, &c, a) != hitStripe(t, &c, b) {
		// A multiplier was drawn while probing (the probes changed stripes'
		// hands): collide the pair again by mapping every key to stripe 0.
		t.Log("the pair parted while probing; forcing multiplier 1")
		c.mult.Store(1)
	}
	// A Counter draws at most one multiplier per millisecond and each draw
	// parts the pair with probability ≥ 1-2/stripes: a few rounds suffice.
	// The deadline only bounds a failing run.
	const perRound = 2000
	deadline := time.Now().Add(5 * time.Second)
	for r := 0; time.Now().Before(deadline); r++ {
		c.Drain()
		var pair sync.WaitGroup
		pair.Add(2)
		go func() { defer pair.Done(); a.run(perRound) }()
		go func() { defer pair.Done(); b.run(perRound) }()
		pair.Wait()
		var most int64
		for i := uint64(0); i < 1<<s.bits; i++ {
			most = max(most, s.at(i).n.Load())
		}
		if most <= perRound {
			t.Logf("apart after %d rounds", r)
			return
		}
	}
	t.Fatalf("two goroutines that hashed to one stripe still shared one after 5s of rounds of %d adds each", perRound)
}

// TestCounterOneGoroutineStaysOneWord: a Counter that only one goroutine
// adds to never sees its base word change hands between sampled Adds, so it
// must not stripe (striping allocates and costs loads on every Add).
func TestCounterOneGoroutineStaysOneWord(t *testing.T) {
	var c Counter
	for i := range 1 << 16 {
		c.Add(int64(i))
		if i%1024 == 0 {
			runtime.Gosched()
		}
	}
	if c.s.Load() != nil {
		t.Fatal("a Counter added to by one goroutine striped")
	}
	if got, want := c.Drain(), int64(1<<16*(1<<16-1)/2); got != want {
		t.Fatalf("Drain = %d, want %d", got, want)
	}
}

// TestConcurrentCounterStripes: two goroutines adding to a new Counter at
// once (interleaved every 16 Adds even on one P) must make it stripe, and
// the adds made before and after must all be counted.
func TestConcurrentCounterStripes(t *testing.T) {
	var c Counter
	var wg sync.WaitGroup
	a, b := startStripeWorker(&c, &wg), startStripeWorker(&c, &wg)
	defer func() {
		close(a.cmd)
		close(b.cmd)
		wg.Wait()
	}()
	const perRound = 2000
	var want int64
	// The deadline only bounds a failing run.
	deadline := time.Now().Add(5 * time.Second)
	for c.s.Load() == nil && time.Now().Before(deadline) {
		var pair sync.WaitGroup
		pair.Add(2)
		go func() { defer pair.Done(); a.run(perRound) }()
		go func() { defer pair.Done(); b.run(perRound) }()
		pair.Wait()
		want += 2 * perRound
	}
	if c.s.Load() == nil {
		t.Fatalf("two goroutines adding at once for 5s of rounds of %d adds each did not stripe the Counter", perRound)
	}
	if got := c.Drain(); got != want {
		t.Fatalf("Drain = %d, want %d", got, want)
	}
}
