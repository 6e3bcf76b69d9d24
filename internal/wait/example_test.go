package wait_test

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/lfkit/lfkit/internal/wait"
)

// The waiting side registers, rechecks, then parks; the waking side makes
// the condition true and then loads Waiting.
func Example() {
	var (
		ready atomic.Bool
		l     wait.List
		done  = make(chan struct{})
	)
	go func() {
		for !ready.Load() {
			l.Register()
			if ready.Load() {
				l.Cancel()
				break
			}
			_ = l.Park(context.Background())
		}
		close(done)
	}()
	ready.Store(true)
	if l.Waiting.Load() != 0 {
		l.WakeAll()
	}
	<-done
	fmt.Println("woken")
	// Output: woken
}
