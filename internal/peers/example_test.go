package peers_test

import (
	"fmt"

	"github.com/lfkit/lfkit/internal/peers"
)

// A producer pushes five values through a ring of two and closes it; the
// consumer pops until the ring is closed and drained, as it would receive
// from a channel until it is closed.
func Example() {
	r := peers.NewMutexRing[int](2)
	go func() {
		for i := range 5 {
			r.Push(i)
		}
		r.Close()
	}()
	for {
		v, ok := r.PopOK()
		if !ok {
			break
		}
		fmt.Println(v)
	}
	// Output:
	// 0
	// 1
	// 2
	// 3
	// 4
}
