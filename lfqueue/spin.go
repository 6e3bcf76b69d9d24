package lfqueue

import (
	"runtime"
	"runtime/metrics"
	"sync/atomic"
)

// spinLimit is the waiting policy of one side (pushes or pops) of a queue,
// shared by Queue and LockFree: how long a blocked Push or Pop watches for
// the change it waits for before it registers and parks. Its rules:
//
//   - A waiter is always reachable: it is either spinning on the word it
//     waits for, or registered on the side's wait.List and parked. A Pop
//     never yields its processor in between, where it would sit in the run
//     queue unseen by the push that should wake it; only a Push on a full
//     queue may yield, while no consumer is parked (yieldForRoom).
//   - It spins only while spinning can pay without taking CPU from the rest
//     of the program: the process has more than one P, no goroutine was
//     waiting for a P at the last look (sched), and fewer than half the Ps
//     are already spinning on this side. Otherwise it parks at once, as a
//     channel receive does.
//   - The spin budget adapts (the idea of folly's TurnSequencer): a wait
//     that ended while spinning after n loads sets a target of 2n, one that
//     ran out sets the minimum. The budget follows the targets as a moving
//     average with weight 1/8, updated by one wait in spinSample (chosen by
//     position, so that waiters do not share a counter). That wait probes
//     further, up to four times the budget (at most maxSpin), so that a
//     budget that has dropped can grow again while a probe costs little
//     where spinning does not pay. Lost updates between racing waiters only
//     delay the average.
type spinLimit struct {
	avg      atomic.Uint32 // moving average of the target, in spins
	spinners atomic.Int32  // waits of this side spinning now
}

const (
	minSpin    = 16
	maxSpin    = 1 << 10
	spinSample = 16
)

// wait spins while word == old, within the policy above (each spin a
// cpuRelax hint and one load), and reports whether the word changed (the
// caller should retry its claim) or the wait should park (false). pos is
// the waiter's position, used to pick the sampling waits.
func (l *spinLimit) wait(word *atomic.Uint64, old, pos uint64) bool {
	sample := pos%spinSample == 0
	if sample {
		sched.refresh()
	}
	limit := max(l.avg.Load(), minSpin)
	if sample {
		limit = min(4*limit, maxSpin)
	}
	counted := false // this wait counts in l.spinners
	if t := spinOverride(); t != 0 {
		if t < 0 {
			return false
		}
		limit = uint32(t)
	} else if counted = l.enter(); !counted {
		return word.Load() != old
	}
	changed := false
	for n := uint32(0); n < limit; n++ {
		cpuRelax()
		if word.Load() != old {
			if sample {
				l.update(min(2*(n+1), maxSpin))
			}
			changed = true
			break
		}
	}
	if !changed && sample {
		l.update(minSpin)
	}
	if counted {
		l.spinners.Add(-1)
	}
	return changed
}

// pushYields is how many times one blocked Push yields its processor to the
// consumers before it parks (see yieldForRoom).
const pushYields = 4

// yieldForRoom is the one place where a waiter may yield instead of spin or
// park: a Push that found the queue full, while no consumer is parked. Then
// every consumer is running or runnable and will make room without being
// woken, and in a process whose goroutines outnumber its processors a
// parked producer would be woken for every single slot a pop frees (a
// park and a wakeup per element). Yielding lets the consumers run instead.
// This breaks no reachability rule: nobody waits for a producer, and the
// element it holds is not in the queue yet. It reports whether the caller
// yielded (and should retry); *yields counts the yields of one Push.
func yieldForRoom(consumersParked bool, yields *int) bool {
	if consumersParked || *yields >= pushYields {
		return false
	}
	*yields++
	runtime.Gosched()
	return true
}

// enter counts the caller as a spinner of this side and reports true, or
// reports false (counting nothing) when it should not spin now.
func (l *spinLimit) enter() bool {
	most := sched.spinners.Load()
	if most == 0 {
		return false
	}
	if l.spinners.Add(1) > most {
		l.spinners.Add(-1)
		return false
	}
	return true
}

func (l *spinLimit) update(target uint32) {
	avg := l.avg.Load()
	if avg == 0 {
		l.avg.Store(target)
		return
	}
	l.avg.Store(uint32(int32(avg) + (int32(target)-int32(avg))/8))
}

// sched is what the waiting policy knows of the process's scheduler, shared
// by every queue: it describes the process, not one queue. Every sampling
// wait refreshes it from runtime/metrics (a read that takes no lock a
// goroutine can hold and allocates nothing); there is no background
// goroutine.
var sched schedState

type schedState struct {
	// spinners is how many waits of one queue side may spin at once: half
	// the Ps (at least one), or none when the process has one P or a
	// goroutine was waiting for a P at the last look. The zero value
	// (before the first sample) spins nobody.
	spinners atomic.Int32
	reading  atomic.Bool // one refresh at a time: it owns samples
	samples  [2]metrics.Sample
}

// schedMetrics names the two metrics sched reads: the number of Ps and the
// goroutines ready to run but waiting for a P. A toolchain that lacks the
// second reports it as metrics.KindBad, and the process counts as never
// busy.
var schedMetrics = [2]string{"/sched/gomaxprocs:threads", "/sched/goroutines/runnable:goroutines"}

// refresh rereads the scheduler's state, unless another wait is reading it
// (then that wait's answer serves).
func (s *schedState) refresh() {
	if !s.reading.CompareAndSwap(false, true) {
		return
	}
	defer s.reading.Store(false)
	if s.samples[0].Name == "" {
		for i, name := range schedMetrics {
			s.samples[i].Name = name
		}
	}
	metrics.Read(s.samples[:])
	procs := int32(1)
	if v := s.samples[0].Value; v.Kind() == metrics.KindUint64 {
		procs = int32(v.Uint64())
	}
	waitingForP := false
	if v := s.samples[1].Value; v.Kind() == metrics.KindUint64 {
		waitingForP = v.Uint64() > 0
	}
	spinners := max(procs/2, 1)
	if procs <= 1 || waitingForP {
		spinners = 0
	}
	if spinners != s.spinners.Load() {
		s.spinners.Store(spinners)
	}
}
