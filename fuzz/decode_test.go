package fuzz

import (
	"context"
)

// input decodes fuzzer bytes. Reading past the end yields zeros, so every
// byte string is a valid input and a short one is a short run.
type input struct {
	b []byte
	i int
}

func (r *input) more() bool { return r.i < len(r.b) }

func (r *input) byte() byte {
	if r.i >= len(r.b) {
		return 0
	}
	c := r.b[r.i]
	r.i++
	return c
}

// intn returns a value in [0, n) from one byte (n ≤ 256).
func (r *input) intn(n int) int { return int(r.byte()) % n }

// canceled is a done context: a blocking call made with it returns as soon
// as it would have to wait, and never waits on a clock.
var canceled = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()
