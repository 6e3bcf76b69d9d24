// Package atomicx adds what sync/atomic lacks: lock-free Max and Min over any
// atomic cell, generic integer and floating-point cells, and Counter, a
// striped counter whose adds from different cores do not contend.
//
// # Guarantees
//
// Every operation in this package is lock-free: a compare-and-swap loop
// retries only because another goroutine's operation succeeded. Int.Add is
// wait-free (a single atomic add), and so is Counter.Add (one atomic add;
// a small sample of Adds also runs a bounded check that retries nothing). All operations are
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
//
// For an Int or a Float, call its own Max and Min methods: the package-level
// Max and Min reach a cell's methods indirectly and cost more (see Max).
//
// # Counter
//
// Counter starts as a single atomic word. Once a few sampled Adds show
// goroutines adding to it at the same time, it spreads Adds over stripes,
// one false-sharing range each, chosen by a hash of the adding goroutine's
// stack address. When two goroutines hash to one stripe, the stripe keeps
// changing hands; sampled Adds notice that and draw a new hash (at a bounded
// rate), which parts the pair with probability at least 1−2/stripes, so a
// collision does not last for as long as the goroutines live (see
// Counter.Add). A long-lived worker can take a Handle, which pins a stripe.
// Drain takes the count and zeroes it without losing an Add.
//
// # Exposition
//
// *Int, *Float and *Counter have a String method that returns JSON, so each
// is an expvar.Var and can be published as it is:
//
//	var requests atomicx.Counter
//	expvar.Publish("requests", &requests)
package atomicx
