// Package atomicx adds what sync/atomic lacks: lock-free Max and Min over any
// atomic cell, generic integer and floating-point cells, and Counter, a
// striped counter whose adds from different cores do not contend.
//
// # Guarantees
//
// Every operation in this package is lock-free: a compare-and-swap loop
// retries only because another goroutine's operation succeeded. Counter.Add
// and Int.Add are wait-free (a single atomic add). All operations are
// sequentially consistent, like those of sync/atomic, except where a doc
// comment says an operation may return after a plain atomic load (Max and Min
// when the value would not change): that load is still an atomic load that
// observes a value some write stored, so the result is linearizable.
//
// # Cells
//
// Int[T] holds any integer type of at most 64 bits, named types included
// (Int[time.Duration]); arithmetic wraps exactly as Go arithmetic on T does.
// Float[T] holds float32 or float64 as their bits, so CompareAndSwap compares
// bits (a NaN equals the same NaN, −0 differs from +0) and CAS loops always
// end. The zero value of every cell is ready to use and holds zero. Cells must
// not be copied after first use; go vet reports copies.
package atomicx
