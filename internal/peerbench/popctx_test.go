package peerbench

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPopCtx checks the PopCtx of every implementation of the load
// benchmarks: it returns what is there, fails with ctx's error on an empty
// queue once ctx is done, and a PopCtx waiting on an empty queue returns
// for a push and for a cancellation.
func TestPopCtx(t *testing.T) {
	for _, im := range loadImpls[int]() {
		t.Run(im.name, func(t *testing.T) {
			q, ok := im.make().(CtxQueue[int])
			if !ok {
				t.Fatal("no PopCtx")
			}
			q.Push(1)
			if v, err := q.PopCtx(context.Background()); v != 1 || err != nil {
				t.Fatalf("PopCtx = %d, %v; want 1, nil", v, err)
			}
			done, cancel := context.WithCancel(context.Background())
			cancel()
			if v, err := q.PopCtx(done); !errors.Is(err, context.Canceled) {
				t.Fatalf("PopCtx on an empty queue with a done context = %d, %v", v, err)
			}

			type result struct {
				v   int
				err error
			}
			wait := func(ctx context.Context) <-chan result {
				ch := make(chan result, 1)
				go func() {
					v, err := q.PopCtx(ctx)
					ch <- result{v, err}
				}()
				return ch
			}
			get := func(ch <-chan result) result {
				select {
				case r := <-ch:
					return r
				case <-time.After(time.Minute):
					t.Fatal("PopCtx did not return in a minute")
					return result{}
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ch := wait(ctx)
			q.Push(2)
			if r := get(ch); r.v != 2 || r.err != nil {
				t.Fatalf("waiting PopCtx = %d, %v; want 2, nil", r.v, r.err)
			}
			ch = wait(ctx)
			cancel()
			if r := get(ch); !errors.Is(r.err, context.Canceled) {
				t.Fatalf("waiting PopCtx after cancel = %d, %v", r.v, r.err)
			}
		})
	}
}
