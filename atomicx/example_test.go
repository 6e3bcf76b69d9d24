package atomicx_test

import (
	"expvar"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/lfkit/lfkit/atomicx"
)

// Workers count requests on a Counter and track the largest request seen
// with Int.Max; both read as JSON (each is an expvar.Var).
func Example() {
	var requests atomicx.Counter
	var largest atomicx.Int[int64]
	var wg sync.WaitGroup
	for _, size := range []int64{512, 4096, 128, 2048} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			requests.Inc()
			largest.Max(size)
		}()
	}
	wg.Wait()
	fmt.Println(requests.String(), largest.String())
	// Output: 4 4096
}

// Max works on sync/atomic's own cells and returns the previous value.
func ExampleMax() {
	var peak atomic.Int64
	var wg sync.WaitGroup
	for _, v := range []int64{3, 42, 7, 19} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			atomicx.Max(&peak, v)
		}()
	}
	wg.Wait()
	fmt.Println(peak.Load())
	fmt.Println(atomicx.Max(&peak, int64(50))) // previous value
	// Output:
	// 42
	// 42
}

func ExampleFloat_Add() {
	var total atomicx.Float[float64]
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			total.Add(0.25)
		}()
	}
	wg.Wait()
	fmt.Println(total.Load())
	// Output: 1
}

func ExampleInt() {
	var x atomicx.Int[int8]
	x.Store(127)
	fmt.Println(x.Add(1)) // wraps as int8 arithmetic does
	// Output: -128
}

func ExampleCounter() {
	var requests atomicx.Counter
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := requests.Handle() // a long-lived worker pins its own stripe
			for i := 0; i < 1000; i++ {
				h.Inc()
			}
		}()
	}
	requests.Add(5) // or add directly from any goroutine
	wg.Wait()
	fmt.Println(requests.Load())
	fmt.Println(requests.Drain(), requests.Load()) // take the total and reset
	// Output:
	// 4005
	// 4005 0
}

// String makes each cell an expvar.Var: expvar.Publish("requests", &requests)
// serves the count as JSON under /debug/vars.
func ExampleCounter_String() {
	var requests atomicx.Counter
	var _ expvar.Var = &requests
	requests.Add(3)
	fmt.Println(requests.String())

	var ratio atomicx.Float[float64]
	ratio.Store(math.Inf(1)) // JSON has no infinity: a string stands in
	fmt.Println(ratio.String())
	// Output:
	// 3
	// "+Inf"
}
