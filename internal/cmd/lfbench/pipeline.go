package main

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lfkit/lfkit/atomicx"
	"github.com/lfkit/lfkit/internal/regime"
	"github.com/lfkit/lfkit/lfmetrics"
)

// epoch is the origin of the process's clock: time.Since(epoch) reads the
// monotonic clock, so stamps are immune to wall-clock steps.
var epoch = time.Now()

// now returns nanoseconds since epoch on the monotonic clock (never 0 after
// the first nanosecond, so 0 can mean "no timestamp"). It costs one
// time.Since, about 24 ns on the 2 vCPU EPYC lfkit is measured on.
func now() int64 { return int64(time.Since(epoch)) }

// config is what the flags set.
type config struct {
	producers, consumers int
	capacity             int
	duration             time.Duration // per run: saturation runs when items == 0, and rate runs
	items                int           // per saturation run, when > 0
	rounds               int
	impls                []impl
	layout               string  // lfqueue slot layout of the lfqueue forms: a name in layouts
	saturation           bool    // run the saturation phase
	rate                 float64 // events/s offered in the rate phase; 0: no rate phase
	sample               int     // every sample-th event of a producer carries a timestamp (rate phase)
	json                 bool
	progress             bool

	// The service phase.
	service         bool          // run it
	clients         int           // keep-alive client goroutines
	workers         int           // goroutines that pop
	work            int           // multiply-adds per event in a worker
	workName        string        // the -work value
	serviceDuration time.Duration // per run
	serviceRounds   int
}

// phase is what a run measures.
type phase int

const (
	// saturate: producers push as fast as the queue takes events; the run
	// measures throughput. No event carries a timestamp, so no clock is
	// read per event.
	saturate phase = iota
	// offered: producers push at cfg.rate events per second in all; every
	// cfg.sample-th event of each producer carries a timestamp, and the
	// run measures their handoff latency.
	offered
)

func (p phase) String() string {
	if p == offered {
		return "rate"
	}
	return "saturation"
}

// runResult is what one run of one implementation measured.
type runResult struct {
	pushed, popped uint64 // counted by producers and by lfmetrics
	consumed       uint64 // counted by the consumers themselves
	sumPushed      uint64 // Σ IDs pushed, mod 2^64
	sumPopped      uint64 // Σ IDs popped, mod 2^64
	stamped        uint64 // events pushed with a timestamp
	backpressure   uint64 // pushes that found the queue full
	elapsed        time.Duration
	producing      time.Duration // from the start to the last push's return
	mallocs        uint64
	handoff        lfmetrics.LatencySnapshot
	itemsPerSec    float64 // popped / elapsed
	offeredPerSec  float64 // pushed / producing
	probe          regime.Probe
	regime         regime.Regime
	cpuPerWall     float64 // process CPU time per wall time of the run
}

// producerResult and consumerResult are written once, by their goroutine,
// when it ends.
type producerResult struct{ pushed, sum, stamped, backpressure uint64 }
type consumerResult struct{ popped, sum uint64 }

// pace is a producer's schedule in the rate phase: its k-th event is due
// first + k·every after the start (the producers' schedules interleave).
// The producer reads the clock once per wake-up, pushes every event due by
// then, and sleeps until the next one is due; when the system wakes it
// late, the events that fell due go out at once, as a small burst.
type pace struct {
	first, every time.Duration
	count        int // events in the run
}

// runOnce runs the pipeline once through a fresh transport of im: the
// producers push until the run's items are pushed or its duration has
// passed, then the transport is closed and the consumers drain it.
// watch, if not nil, is called with a function that reports the events
// popped so far, and its result is called when the run ends.
func runOnce(cfg *config, im impl, ph phase, watch func(popped func() uint64) (done func())) runResult {
	t := im.make(cfg.capacity, cfg.layout)
	m := lfmetrics.New()          // counts popped events (Ingested)
	lat := new(lfmetrics.Latency) // handoff latency of the stamped events
	var stop atomic.Bool

	prod := make([]producerResult, cfg.producers)
	cons := make([]consumerResult, cfg.consumers)
	paces := make([]pace, cfg.producers)
	counts := make([]int, cfg.producers) // -1: until stop
	for i := range cfg.producers {
		counts[i] = -1
		switch {
		case ph == offered:
			// Producer i sends events i, i+P, i+2P, … of a stream of
			// rate·duration events spaced 1/rate apart.
			every := time.Duration(float64(time.Second) * float64(cfg.producers) / cfg.rate)
			first := time.Duration(float64(time.Second) * float64(i) / cfg.rate)
			n := 0
			if first < cfg.duration {
				n = int((cfg.duration-first-1)/every) + 1
			}
			paces[i] = pace{first, every, n}
			counts[i] = n
		case cfg.items > 0:
			counts[i] = cfg.items / cfg.producers
			if i < cfg.items%cfg.producers {
				counts[i]++
			}
		}
	}

	runtime.GC()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	sample := regime.Begin()
	start := time.Now()
	startNS := now()

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
				if e.Stamp != 0 {
					lat.Record(time.Duration(now() - e.Stamp))
				}
				m.RecordIngest()
				r.popped++
				r.sum += e.ID
			}
			cons[i] = r
		}()
	}
	var lastPush atomic.Int64 // ns since epoch when the last producer finished
	for i := range cfg.producers {
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			defer func() { atomicx.Max(&lastPush, now()) }()
			var r producerResult
			// Producer i pushes IDs i, i+P, i+2P, …: unique within the run.
			id := uint64(i)
			push := func(stamp int64) {
				e := Event{ID: id, Stamp: stamp}
				e.Payload[0] = byte(id)
				if t.push(e) {
					r.backpressure++
				}
				r.pushed++
				r.sum += id
				if stamp != 0 {
					r.stamped++
				}
				id += uint64(cfg.producers)
			}
			count := counts[i]
			if ph == saturate {
				for n := 0; n != count; n++ {
					if count < 0 && stop.Load() {
						break
					}
					push(0)
				}
				prod[i] = r
				return
			}
			p := paces[i]
			for n := 0; n < p.count; {
				elapsed := time.Duration(now() - startNS)
				due := p.first + time.Duration(n)*p.every
				if elapsed < due {
					time.Sleep(due - elapsed)
					continue
				}
				// Push every event due by elapsed.
				for ; n < p.count && p.first+time.Duration(n)*p.every <= elapsed; n++ {
					var stamp int64
					if n%cfg.sample == 0 {
						stamp = now()
					}
					push(stamp)
				}
			}
			prod[i] = r
		}()
	}
	var done func()
	if watch != nil {
		done = watch(func() uint64 { return m.Snapshot().Ingested })
	}
	if ph == saturate && cfg.items == 0 {
		timer := time.AfterFunc(cfg.duration, func() { stop.Store(true) })
		defer timer.Stop()
	}
	pwg.Wait()
	t.close()
	cwg.Wait()
	elapsed := time.Since(start)
	cpuPerWall := sample.CPUPerWall()
	if done != nil {
		done()
	}
	runtime.ReadMemStats(&ms1)

	r := runResult{
		popped:     m.Snapshot().Ingested,
		elapsed:    elapsed,
		producing:  time.Duration(lastPush.Load() - startNS),
		mallocs:    ms1.Mallocs - ms0.Mallocs,
		handoff:    lat.Snapshot(),
		probe:      sample.Probe(),
		regime:     sample.Regime(),
		cpuPerWall: cpuPerWall,
	}
	for _, p := range prod {
		r.pushed += p.pushed
		r.sumPushed += p.sum
		r.stamped += p.stamped
		r.backpressure += p.backpressure
	}
	for _, c := range cons {
		r.consumed += c.popped
		r.sumPopped += c.sum
	}
	if s := elapsed.Seconds(); s > 0 {
		r.itemsPerSec = float64(r.popped) / s
	}
	if s := r.producing.Seconds(); s > 0 {
		r.offeredPerSec = float64(r.pushed) / s
	}
	return r
}
