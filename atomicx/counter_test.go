package atomicx

import (
	"math"
	"runtime"
	"strconv"
	"testing"

	"github.com/lfkit/lfkit/internal/stripe"
	"pgregory.net/rapid"
)

// counterMachine is the model of Counter: an int64 that Add, Inc, Dec and
// handles add to (wrapping as int64 does), that Load and String read and that
// Drain takes and zeroes. Goroutine switches and multiplier draws move the
// goroutine between stripes; nothing may change the sum.
type counterMachine struct {
	c       Counter
	model   int64 // not yet drained
	handles []*CounterHandle
	gen     *rapid.Generator[int64]
}

func (m *counterMachine) Add(t *rapid.T) { m.add(t, m.gen.Draw(t, "n")) }
func (m *counterMachine) Inc(t *rapid.T) { m.inc(t) }
func (m *counterMachine) Dec(t *rapid.T) { m.dec(t) }

func (m *counterMachine) HandleAdd(t *rapid.T) {
	if len(m.handles) < 8 && (len(m.handles) == 0 || rapid.Bool().Draw(t, "new handle")) {
		m.handles = append(m.handles, m.c.Handle())
	}
	m.handleAdd(t, rapid.IntRange(0, len(m.handles)-1).Draw(t, "handle"), m.gen.Draw(t, "n"))
}

func (m *counterMachine) Drain(t *rapid.T)   { m.drain(t) }
func (m *counterMachine) Gosched(t *rapid.T) { m.gosched(t) }
func (m *counterMachine) Rehash(t *rapid.T)  { m.rehash(t) }
func (m *counterMachine) Check(t *rapid.T)   { m.check(t) }

func (m *counterMachine) add(t tb, n int64) {
	t.Helper()
	m.c.Add(n)
	m.model += n
	m.check(t)
}

func (m *counterMachine) inc(t tb) {
	t.Helper()
	m.c.Inc()
	m.model++
	m.check(t)
}

func (m *counterMachine) dec(t tb) {
	t.Helper()
	m.c.Dec()
	m.model--
	m.check(t)
}

// handleAdd adds n through handle i (Inc when n is 1).
func (m *counterMachine) handleAdd(t tb, i int, n int64) {
	t.Helper()
	if n == 1 {
		m.handles[i].Inc()
	} else {
		m.handles[i].Add(n)
	}
	m.model += n
	m.check(t)
}

func (m *counterMachine) drain(t tb) {
	t.Helper()
	if got := m.c.Drain(); got != m.model {
		t.Fatalf("Drain = %d, model %d", got, m.model)
	}
	m.model = 0
	m.check(t)
}

// gosched moves the goroutine to another thread, and often its next Add to
// another stripe.
func (m *counterMachine) gosched(t tb) {
	t.Helper()
	runtime.Gosched()
	m.check(t)
}

// rehash draws a new multiplier, as a stripe that keeps changing hands does.
func (m *counterMachine) rehash(t tb) {
	t.Helper()
	m.c.stripes()
	m.c.mult.Store(stripe.Random() | 1)
	m.check(t)
}

func (m *counterMachine) check(t tb) {
	t.Helper()
	if got := m.c.Load(); got != m.model {
		t.Fatalf("Load = %d, model %d", got, m.model)
	}
	if got, want := m.c.String(), strconv.FormatInt(m.model, 10); got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}

func runCounterMachine(t *rapid.T) {
	m := &counterMachine{gen: rapid.OneOf(
		rapid.SampledFrom([]int64{math.MinInt64, math.MaxInt64, -1, 0, 1}),
		rapid.Int64Range(-1000, 1000),
		rapid.Int64(),
	)}
	t.Repeat(rapid.StateMachineActions(m))
}

func TestCounterStateMachine(t *testing.T) { rapid.Check(t, runCounterMachine) }
