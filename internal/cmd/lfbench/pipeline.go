package main

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lfkit/lfkit/lfmetrics"
)

// epoch is the origin of the process's clock: time.Since(epoch) reads the
// monotonic clock, so stamps are immune to wall-clock steps.
var epoch = time.Now()

// now returns nanoseconds since epoch on the monotonic clock. It costs one
// time.Since (about 24 ns on the 2 vCPU EPYC lfkit is measured on), paid
// once by the producer and once by the consumer of every event.
func now() int64 { return int64(time.Since(epoch)) }

// config is what the flags set.
type config struct {
	producers, consumers int
	capacity             int
	duration             time.Duration // per round and implementation, when items == 0
	items                int           // per round and implementation, when > 0
	rounds               int
	impls                []impl
	compact              bool
	json                 bool
	progress             bool
}

// roundResult is what one round of one implementation measured.
type roundResult struct {
	pushed, popped uint64 // counted by producers and by lfmetrics
	consumed       uint64 // counted by the consumers themselves
	sumPushed      uint64 // Σ IDs pushed, mod 2^64
	sumPopped      uint64 // Σ IDs popped, mod 2^64
	backpressure   uint64 // pushes that found the queue full
	elapsed        time.Duration
	mallocs        uint64
	handoff        lfmetrics.LatencySnapshot
	itemsPerSec    float64
}

// producerResult and consumerResult are written once, by their goroutine,
// when it ends.
type producerResult struct{ pushed, sum, backpressure uint64 }
type consumerResult struct{ popped, sum uint64 }

// runRound runs the pipeline once through a fresh transport of im: the
// producers push until the round's items are pushed or its duration has
// passed, then the transport is closed and the consumers drain it.
// watch, if not nil, is called with a function that reports the events
// popped so far, and its result is called when the round ends.
func runRound(cfg *config, im impl, watch func(popped func() uint64) (done func())) roundResult {
	t := im.make(cfg.capacity, cfg.compact)
	m := lfmetrics.New()          // counts popped events (Ingested)
	lat := new(lfmetrics.Latency) // handoff latency, push offered → popped
	var stop atomic.Bool

	prod := make([]producerResult, cfg.producers)
	cons := make([]consumerResult, cfg.consumers)

	runtime.GC()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	start := time.Now()

	var pwg, cwg sync.WaitGroup
	for i := range cfg.consumers {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			var r consumerResult
			for {
				e, ok := t.pop()
				if !ok {
					break
				}
				lat.Record(time.Duration(now() - e.Stamp))
				m.RecordIngest()
				r.popped++
				r.sum += e.ID
			}
			cons[i] = r
		}()
	}
	for i := range cfg.producers {
		// Producer i pushes IDs i, i+P, i+2P, …: unique within the round.
		count := -1 // until stop
		if cfg.items > 0 {
			count = cfg.items / cfg.producers
			if i < cfg.items%cfg.producers {
				count++
			}
		}
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			var r producerResult
			id := uint64(i)
			for n := 0; n != count; n++ {
				if count < 0 && stop.Load() {
					break
				}
				e := Event{ID: id, Stamp: now()}
				e.Payload[0] = byte(id)
				if t.push(e) {
					r.backpressure++
				}
				r.pushed++
				r.sum += id
				id += uint64(cfg.producers)
			}
			prod[i] = r
		}()
	}
	var done func()
	if watch != nil {
		done = watch(func() uint64 { return m.Snapshot().Ingested })
	}
	if cfg.items == 0 {
		timer := time.AfterFunc(cfg.duration, func() { stop.Store(true) })
		defer timer.Stop()
	}
	pwg.Wait()
	t.close()
	cwg.Wait()
	elapsed := time.Since(start)
	if done != nil {
		done()
	}
	runtime.ReadMemStats(&ms1)

	r := roundResult{
		popped:  m.Snapshot().Ingested,
		elapsed: elapsed,
		mallocs: ms1.Mallocs - ms0.Mallocs,
		handoff: lat.Snapshot(),
	}
	for _, p := range prod {
		r.pushed += p.pushed
		r.sumPushed += p.sum
		r.backpressure += p.backpressure
	}
	for _, c := range cons {
		r.consumed += c.popped
		r.sumPopped += c.sum
	}
	if s := elapsed.Seconds(); s > 0 {
		r.itemsPerSec = float64(r.popped) / s
	}
	return r
}
