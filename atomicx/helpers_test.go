package atomicx

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"unsafe"

	"github.com/lfkit/lfkit/internal/pad"
)

const padSize = pad.Size

func uintptrOf[P any](p *P) uintptr { return uintptr(unsafe.Pointer(p)) }

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
