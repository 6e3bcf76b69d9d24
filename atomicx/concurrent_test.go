package atomicx

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// applyAll runs goroutines that each apply their own random values through
// f, and returns every value applied.
func applyAll(t *testing.T, goroutines, per int, f func(v int64)) []int64 {
	t.Helper()
	vals := make([][]int64, goroutines)
	for g := range vals {
		r := rand.New(rand.NewPCG(uint64(g), 42))
		vals[g] = make([]int64, per)
		for i := range vals[g] {
			vals[g][i] = r.Int64N(1<<40) - 1<<39
		}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range vals {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i, v := range vals[g] {
				f(v)
				if i%64 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	var all []int64
	for _, vs := range vals {
		all = append(all, vs...)
	}
	return all
}

func TestConcurrentMaxMin(t *testing.T) {
	const goroutines, per = 8, 5000
	var smax, smin atomic.Int64
	var xmax, xmin Int[int64]
	var fmax, fmin Float[float64]
	smin.Store(1 << 62)
	xmin.Store(1 << 62)
	fmin.Store(1 << 62)
	smax.Store(-1 << 62)
	xmax.Store(-1 << 62)
	fmax.Store(-1 << 62)
	all := applyAll(t, goroutines, per, func(v int64) {
		Max(&smax, v)
		Min(&smin, v)
		xmax.Max(v)
		xmin.Min(v)
		fmax.Max(float64(v))
		fmin.Min(float64(v))
	})
	wantMax, wantMin := all[0], all[0]
	for _, v := range all {
		wantMax = max(wantMax, v)
		wantMin = min(wantMin, v)
	}
	if smax.Load() != wantMax || xmax.Load() != wantMax || fmax.Load() != float64(wantMax) {
		t.Errorf("max: sync/atomic %d, Int %d, Float %v; want %d", smax.Load(), xmax.Load(), fmax.Load(), wantMax)
	}
	if smin.Load() != wantMin || xmin.Load() != wantMin || fmin.Load() != float64(wantMin) {
		t.Errorf("min: sync/atomic %d, Int %d, Float %v; want %d", smin.Load(), xmin.Load(), fmin.Load(), wantMin)
	}
}

func TestConcurrentAdd(t *testing.T) {
	const goroutines, per = 8, 5000
	var i Int[int32]
	var f Float[float64]
	all := applyAll(t, goroutines, per, func(v int64) {
		i.Add(int32(v))
		f.Add(float64(v & 0xffff)) // small integers: float sums stay exact
	})
	var wantI int32
	var wantF float64
	for _, v := range all {
		wantI += int32(v)
		wantF += float64(v & 0xffff)
	}
	if i.Load() != wantI || f.Load() != wantF {
		t.Fatalf("Int sum %d want %d; Float sum %v want %v", i.Load(), wantI, f.Load(), wantF)
	}
}

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

// TestMaxMinEveryCellType runs the generic Max/Min over each sync/atomic
// cell type (each takes its own fast path) and a cell the fast paths do not
// know.
func TestMaxMinEveryCellType(t *testing.T) {
	var i32 atomic.Int32
	var u32 atomic.Uint32
	var i64 atomic.Int64
	var u64 atomic.Uint64
	var up atomic.Uintptr
	var f Float[float64]
	check := func(name string, _, _, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	i32.Store(-5)
	check("Int32 max", nil, nil, Max(&i32, int32(-7)), int32(-5))
	check("Int32 max", nil, nil, Max(&i32, int32(3)), int32(-5))
	check("Int32 min", nil, nil, Min(&i32, int32(-9)), int32(3))
	check("Int32 value", nil, nil, i32.Load(), int32(-9))
	u32.Store(1 << 31)
	check("Uint32 max", nil, nil, Max(&u32, uint32(5)), uint32(1<<31))
	check("Uint32 min", nil, nil, Min(&u32, uint32(5)), uint32(1<<31))
	check("Uint32 value", nil, nil, u32.Load(), uint32(5))
	i64.Store(-1)
	check("Int64 max", nil, nil, Max(&i64, int64(-2)), int64(-1))
	check("Int64 min", nil, nil, Min(&i64, int64(-1<<62)), int64(-1))
	check("Int64 value", nil, nil, i64.Load(), int64(-1<<62))
	u64.Store(1 << 63)
	check("Uint64 max", nil, nil, Max(&u64, uint64(^uint64(0))), uint64(1<<63))
	check("Uint64 value", nil, nil, u64.Load(), ^uint64(0))
	check("Uint64 min", nil, nil, Min(&u64, uint64(0)), ^uint64(0))
	check("Uint64 value", nil, nil, u64.Load(), uint64(0))
	check("Uintptr max", nil, nil, Max(&up, uintptr(9)), uintptr(0))
	check("Uintptr min", nil, nil, Min(&up, uintptr(4)), uintptr(9))
	check("Uintptr value", nil, nil, up.Load(), uintptr(4))
	check("Float generic max", nil, nil, Max[float64](&f, 2.5), 0.0)
	check("Float generic min", nil, nil, Min[float64](&f, -1), 2.5)
	check("Float value", nil, nil, f.Load(), -1.0)
}
