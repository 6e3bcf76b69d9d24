package lfqueue_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/lfkit/lfkit/lfqueue"
)

// A LockFree queue between producers and a consumer: Push waits while the
// queue is full, the consumer ranges over All until Close and the drain.
func ExampleLockFree() {
	q := lfqueue.NewLockFree[int](4)
	ctx := context.Background()

	var wg sync.WaitGroup
	for p := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				if err := q.Push(ctx, p*100+i); err != nil {
					panic(err)
				}
			}
		}()
	}
	go func() { wg.Wait(); q.Close() }()

	sum, n := 0, 0
	for v := range q.All(ctx) {
		sum += v
		n++
	}
	fmt.Println(n, sum, q.TryPush(1))
	// Output: 10 520 false
}

// TryPush and TryPop never wait for another goroutine: they report full or
// empty instead.
func ExampleLockFree_TryPush() {
	q := lfqueue.NewLockFree[string](2)
	fmt.Println(q.TryPush("a"), q.TryPush("b"), q.TryPush("c"))
	v, ok := q.TryPop()
	fmt.Println(v, ok, q.Len(), q.Cap())
	// Output:
	// true true false
	// a true 1 2
}
