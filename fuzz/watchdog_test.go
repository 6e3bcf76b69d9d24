package fuzz

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// hangAfter is how long a fuzz input may run before it is reported as hung.
// It is a liveness backstop, not a timing assertion: a correct input finishes
// in milliseconds even under -race on a loaded machine, and only an operation
// that never returns (a lost wakeup, a stamp nobody will ever write) reaches
// it. The fuzzing engine has no per-input timeout of its own.
const hangAfter = 10 * time.Second

// tracer records the operations of a run, for failure messages; it is safe
// for concurrent use.
type tracer struct {
	mu  sync.Mutex
	ops []string
}

func (tr *tracer) add(format string, args ...any) {
	tr.mu.Lock()
	tr.ops = append(tr.ops, fmt.Sprintf(format, args...))
	tr.mu.Unlock()
}

// String returns the last 60 operations.
func (tr *tracer) String() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	ops := tr.ops
	prefix := ""
	if len(ops) > 60 {
		prefix = fmt.Sprintf("(%d earlier) ", len(ops)-60)
		ops = ops[len(ops)-60:]
	}
	return prefix + "[" + strings.Join(ops, " ") + "]"
}

// watchdog runs body on a new goroutine and waits for it. body reports
// failures with t.Errorf and may end early with runtime.Goexit. If body does
// not return within hangAfter, watchdog fails the test with the operations
// recorded in tr and a dump of every goroutine, and abandons body.
func watchdog(t *testing.T, tr *tracer, body func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		body()
	}()
	timer := time.NewTimer(hangAfter)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("hung for %v after operations %v\n%s", hangAfter, tr, buf)
	}
}
