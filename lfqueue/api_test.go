package lfqueue

import (
	"context"
	"errors"
	"iter"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// blockingQueue is the API Queue and LockFree share; the checks below test
// that shared contract once, for both types.
type blockingQueue[T any] interface {
	TryPush(v T) bool
	Len() int
	Push(ctx context.Context, v T) error
	Pop(ctx context.Context) (T, error)
	All(ctx context.Context) iter.Seq[T]
}

// checkAllStopsOnCancel: All ends promptly once ctx is done even while a
// producer never lets q (capacity >= 32, empty) drain.
func checkAllStopsOnCancel(t *testing.T, q blockingQueue[int]) {
	t.Helper()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			q.TryPush(i)
		}
	}()
	for q.Len() < 32 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	for range q.All(ctx) {
		if n++; n == 100 {
			cancel()
		}
		if n > 101 {
			break
		}
	}
	close(stop)
	wg.Wait()
	if n != 100 {
		t.Fatalf("All yielded %d elements; want it to stop right after ctx is cancelled at 100", n)
	}
}

// checkNilContextPanics: Push, Pop and All on q (capacity 1, empty) panic at
// once on a nil ctx, with a message naming it, even when they would not block.
func checkNilContextPanics(t *testing.T, q blockingQueue[int]) {
	t.Helper()
	q.TryPush(1)
	check := func(name string, f func()) {
		t.Helper()
		defer func() {
			t.Helper()
			s, _ := recover().(string)
			if !strings.Contains(s, "nil Context") || !strings.Contains(s, name) {
				t.Errorf("%s(nil): panic %q; want one naming the nil Context", name, s)
			}
		}()
		f()
	}
	//lint:ignore SA1012 the test passes a nil Context on purpose
	check("Pop", func() { _, _ = q.Pop(nil) })
	//lint:ignore SA1012 the test passes a nil Context on purpose
	check("Push", func() { _ = q.Push(nil, 2) })
	//lint:ignore SA1012 the test passes a nil Context on purpose
	check("All", func() { q.All(nil) })
	if q.Len() != 1 {
		t.Fatalf("Len %d after the panics, want 1", q.Len())
	}
}

// checkPanics calls f and fails the test unless f panics with exactly want.
func checkPanics(t *testing.T, what, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		if s, _ := recover().(string); s != want {
			t.Errorf("%s: panic %q, want %q", what, s, want)
		}
	}()
	f()
}

// sharedAPI is the whole method set that Queue and LockFree share: code
// written against it switches between the two by changing its constructor.
type sharedAPI[T any] interface {
	TryPush(v T) bool
	Offer(v T) error
	TryPop() (T, bool)
	Push(ctx context.Context, v T) error
	Pop(ctx context.Context) (T, error)
	All(ctx context.Context) iter.Seq[T]
	Close()
	Closed() bool
	Len() int
	Cap() int
	IsEmpty() bool
	IsFull() bool
	FillRatio() float64
}

var (
	_ sharedAPI[int] = (*Queue[int])(nil)
	_ sharedAPI[int] = (*LockFree[int])(nil)
)

// TestSharedMethodSet: every exported method of LockFree is a method of
// Queue with the same signature, and sharedAPI lists all of them, so that
// the promise "switching is a one-line change" cannot silently break.
func TestSharedMethodSet(t *testing.T) {
	lf := reflect.TypeFor[*LockFree[int]]()
	q := reflect.TypeFor[*Queue[int]]()
	shared := reflect.TypeFor[sharedAPI[int]]()
	for i := range lf.NumMethod() {
		m := lf.Method(i)
		qm, ok := q.MethodByName(m.Name)
		if !ok {
			t.Errorf("LockFree.%s has no Queue counterpart", m.Name)
			continue
		}
		// Drop the receiver before comparing.
		if a, b := signature(m.Type), signature(qm.Type); a != b {
			t.Errorf("LockFree.%s is %s, Queue.%s is %s", m.Name, a, m.Name, b)
		}
		if _, ok := shared.MethodByName(m.Name); !ok {
			t.Errorf("sharedAPI lacks %s", m.Name)
		}
	}
}

// signature renders a method type without its receiver.
func signature(f reflect.Type) string {
	var b strings.Builder
	b.WriteString("func(")
	for i := 1; i < f.NumIn(); i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		b.WriteString(f.In(i).String())
	}
	b.WriteString(") (")
	for i := range f.NumOut() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Out(i).String())
	}
	b.WriteString(")")
	return b.String()
}

// checkOffer: Offer tells pushed, full and closed apart, with errors that
// errors.Is matches, and stores nothing when it fails.
func checkOffer(t *testing.T, q sharedAPI[int]) {
	t.Helper()
	for i := range q.Cap() {
		if err := q.Offer(i); err != nil {
			t.Fatalf("Offer(%d) on a queue with room = %v", i, err)
		}
	}
	if err := q.Offer(-1); !errors.Is(err, ErrFull) || errors.Is(err, ErrClosed) {
		t.Fatalf("Offer on a full queue = %v, want ErrFull", err)
	}
	if v, ok := q.TryPop(); !ok || v != 0 {
		t.Fatalf("TryPop = %d, %v, want 0, true", v, ok)
	}
	if err := q.Offer(q.Cap()); err != nil {
		t.Fatalf("Offer after a pop made room = %v", err)
	}
	q.Close()
	if err := q.Offer(-2); !errors.Is(err, ErrClosed) || errors.Is(err, ErrFull) {
		t.Fatalf("Offer on a closed full queue = %v, want ErrClosed", err)
	}
	for want := 1; want <= q.Cap(); want++ {
		if v, ok := q.TryPop(); !ok || v != want {
			t.Fatalf("drain: TryPop = %d, %v, want %d, true", v, ok, want)
		}
	}
	if err := q.Offer(-3); !errors.Is(err, ErrClosed) {
		t.Fatalf("Offer on a closed empty queue = %v, want ErrClosed", err)
	}
	if q.Len() != 0 {
		t.Fatalf("Len = %d after failed Offers on a drained queue", q.Len())
	}
}

func TestOffer(t *testing.T) {
	for _, c := range []int{1, 3, 64} {
		checkOffer(t, New[int](c))
		checkOffer(t, New[int](c, Padded()))
		checkOffer(t, NewLockFree[int](c))
	}
}

// checkZeroValuePanics: every shared method of q, a queue not made by its
// constructor, and every method in more, panics with msg (not with a nil
// dereference, and not by acting as a queue of capacity 0).
func checkZeroValuePanics(t *testing.T, q sharedAPI[int], kind, msg string, more map[string]func()) {
	t.Helper()
	ctx := context.Background()
	shared := map[string]func(){
		"TryPush":   func() { q.TryPush(1) },
		"Offer":     func() { _ = q.Offer(1) },
		"TryPop":    func() { q.TryPop() },
		"Push":      func() { _ = q.Push(ctx, 1) },
		"Pop":       func() { _, _ = q.Pop(ctx) },
		"All":       func() { q.All(ctx)(func(int) bool { return true }) },
		"Len":       func() { q.Len() },
		"Cap":       func() { q.Cap() },
		"IsEmpty":   func() { q.IsEmpty() },
		"IsFull":    func() { q.IsFull() },
		"FillRatio": func() { q.FillRatio() },
		"Close":     func() { q.Close() },
		"Closed":    func() { q.Closed() },
	}
	for _, fs := range []map[string]func(){shared, more} {
		for name, f := range fs {
			checkPanics(t, name+" on a zero "+kind, msg, f)
		}
	}
}
