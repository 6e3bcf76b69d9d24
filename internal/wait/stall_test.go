//go:build lfkit_stall

package wait

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestCancelAfterTokenTaken: a waiter's wakeup is claimed, and the waiter
// leaves (Cancel) and finds Waiting zero; before it takes the token, a
// waiter that registered after the claim parks and receives that token,
// leaving its own count in Waiting. Cancel must return by taking that count.
// It used to wait for a token nobody would send.
func TestCancelAfterTokenTaken(t *testing.T) {
	var l List
	stopped, release := make(chan struct{}), make(chan struct{})
	hook := func(p Point) {
		if p == CancelClaimed {
			close(stopped)
			<-release
		}
	}
	StallHook.Store(&hook)
	defer StallHook.Store(nil)

	l.Register() // the waiter that will leave
	l.WakeOne()  // claims it: Waiting 0, one token in the channel
	left := make(chan struct{})
	go func() { defer close(left); l.Cancel() }()
	<-stopped // Cancel found Waiting zero

	l.Register() // a later waiter...
	if err := l.Park(context.Background()); err != nil {
		t.Fatal(err) // ...takes the token at once
	}
	if n := l.Waiting.Load(); n != 1 {
		t.Fatalf("Waiting = %d after the later waiter took the token, want its count, 1", n)
	}
	close(release)
	select {
	case <-left:
	case <-time.After(10 * time.Second):
		l.WakeOne() // lets the stuck Cancel return, for goleak
		<-left
		t.Fatal("Cancel waited for a token that no waker was going to send")
	}
	if n, k := l.Waiting.Load(), len(l.channel()); n != 0 || k != 0 {
		t.Fatalf("after Cancel: Waiting %d, %d tokens; want 0, 0", n, k)
	}
}

// TestLeaveWhileWakerStopped: a waiter whose wakeup a waker claimed leaves,
// by Cancel or by Park whose context ends, while that waker is stopped
// before sending the token. The waiter must return without waiting for the
// waker (a new goroutine takes over its wait), and once the waker sends, the
// List must be empty again.
func TestLeaveWhileWakerStopped(t *testing.T) {
	for _, how := range []string{"Cancel", "Park"} {
		t.Run(how, func(t *testing.T) {
			var l List
			stopped, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			hook := func(p Point) {
				if p == WakeClaimed {
					once.Do(func() { close(stopped); <-release })
				}
			}
			StallHook.Store(&hook)
			defer StallHook.Store(nil)

			l.Register()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			parked := make(chan error, 1)
			if how == "Park" {
				go func() { parked <- l.Park(ctx) }()
			}
			woken := make(chan struct{})
			go func() { defer close(woken); l.WakeOne() }()
			<-stopped // the waker has claimed the waiter: Waiting 0, no token yet

			left := make(chan error, 1)
			if how == "Cancel" {
				go func() { l.Cancel(); left <- nil }()
			} else {
				cancel()
				go func() { left <- <-parked }()
			}
			select {
			case err := <-left:
				if how == "Park" && err != context.Canceled {
					t.Errorf("Park = %v, want context.Canceled", err)
				}
			case <-time.After(10 * time.Second):
				close(release)
				t.Fatal("the leaving waiter waited for the stopped waker")
			}
			close(release)
			<-woken
			waitHandedOff(t)
			if n, k := l.Waiting.Load(), len(l.channel()); n != 0 || k != 0 {
				t.Fatalf("after the waker resumed: Waiting %d, %d tokens; want 0, 0", n, k)
			}
		})
	}
}
