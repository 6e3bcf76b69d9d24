package lfqueue_test

import (
	"context"
	"fmt"
	"time"

	"github.com/lfkit/lfkit/lfqueue"
)

// A pipeline: producers hand items to a consumer with the blocking forms,
// and Close ends the consumer's range loop once everything is drained.
func Example() {
	q := lfqueue.New[int](64)
	done := make(chan int)
	go func() {
		sum := 0
		for v := range q.All(context.Background()) {
			sum += v
		}
		done <- sum
	}()
	for i := 1; i <= 100; i++ {
		if err := q.Push(context.Background(), i); err != nil {
			panic(err)
		}
	}
	q.Close()
	fmt.Println(<-done)
	// Output: 5050
}

func ExampleNew() {
	q := lfqueue.New[string](2)
	fmt.Println(q.TryPush("a"), q.TryPush("b"), q.TryPush("c")) // exact capacity: the third fails
	v, ok := q.TryPop()
	fmt.Println(v, ok, q.Len(), q.Cap())
	// Output:
	// true true false
	// a true 1 2
}

func ExampleQueue_TryPop() {
	q := lfqueue.New[int](4)
	if _, ok := q.TryPop(); !ok {
		fmt.Println("empty")
	}
	q.TryPush(7)
	v, ok := q.TryPop()
	fmt.Println(v, ok)
	// Output:
	// empty
	// 7 true
}

func ExampleQueue_Pop() {
	q := lfqueue.New[int](16)
	go func() {
		for i := 1; i <= 3; i++ {
			_ = q.Push(context.Background(), i) // blocks while the queue is full
		}
	}()
	for i := 0; i < 3; i++ {
		v, err := q.Pop(context.Background()) // blocks while the queue is empty
		fmt.Println(v, err)
	}
	// A deadline bounds the wait; nothing is removed when it expires.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := q.Pop(ctx)
	fmt.Println(err)
	// Output:
	// 1 <nil>
	// 2 <nil>
	// 3 <nil>
	// context deadline exceeded
}

func ExampleQueue_All() {
	q := lfqueue.New[string](8)
	q.TryPush("x")
	q.TryPush("y")
	q.Close() // no more pushes; what is queued is still delivered
	for v := range q.All(context.Background()) {
		fmt.Println(v)
	}
	fmt.Println(q.TryPush("z"), q.Push(context.Background(), "z"))
	// Output:
	// x
	// y
	// false lfqueue: queue closed
}

func ExampleQueue_ForcePush() {
	// A "keep the latest 3" buffer.
	q := lfqueue.New[int](3)
	for i := 1; i <= 5; i++ {
		if old, evicted, _ := q.ForcePush(i); evicted {
			fmt.Println("evicted", old)
		}
	}
	dst := make([]int, 3)
	fmt.Println(dst[:q.TryPopBatch(dst)])
	q.Close()
	_, _, err := q.ForcePush(6)
	fmt.Println(err)
	// Output:
	// evicted 1
	// evicted 2
	// [3 4 5]
	// lfqueue: queue closed
}

func ExampleQueue_TryPushBatch() {
	q := lfqueue.New[int](4)
	n := q.TryPushBatch([]int{1, 2, 3, 4, 5, 6}) // takes what fits, in order
	fmt.Println(n)
	dst := make([]int, 3)
	n = q.TryPopBatch(dst)
	fmt.Println(dst[:n], q.Len())
	// Output:
	// 4
	// [1 2 3] 1
}

func ExampleRemap() {
	// Many producers and consumers on a queue that usually stays nearly
	// empty: packed slots (16 bytes for an int64, as by default), with
	// consecutive positions on different cache-line ranges so that
	// neighbouring operations do not contend for one line.
	q := lfqueue.New[int64](1_000_000, lfqueue.Remap())
	fmt.Println(q.Cap())
	// Output: 1000000
}
