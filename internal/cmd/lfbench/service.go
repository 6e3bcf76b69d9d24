package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lfkit/lfkit/internal/regime"
	"github.com/lfkit/lfkit/lfmetrics"
)

// The service phase: an HTTP ingestion service on loopback. C client
// goroutines each send one event at a time over a keep-alive connection;
// the handler decodes the event's JSON and offers it to the queue without
// waiting (tryPush), answering 202 Accepted when it went in and 503 when
// the queue was full; W workers pop the events and do some arithmetic on
// each. At the end of each run the server shuts down gracefully, the queue
// is closed, the workers drain it, and the run checks that every accepted
// event was processed exactly once.

// workLevels are the named values of -work: multiply-adds per event.
var workLevels = []struct {
	name string
	n    int
}{
	{"light", 256},
	{"cpu", 4096},
}

// parseWork reads a -work value: a name in workLevels or a non-negative
// count of multiply-adds.
func parseWork(s string) (int, error) {
	for _, w := range workLevels {
		if w.name == s {
			return w.n, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("-work: want light, cpu or a count of multiply-adds ≥ 0, got %q", s)
	}
	return n, nil
}

// work does n dependent multiply-adds on x: the per-event work of a worker,
// which the compiler cannot drop since its result is kept.
func work(n int, x uint64) uint64 {
	for range n {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// workSink keeps the workers' results alive.
var workSink atomic.Uint64

// maxRequests bounds one client's requests in one run (its sequence
// numbers fit in 32 bits); a run normally ends by its duration first.
const maxRequests = 1 << 24

// maxBody bounds the request body a handler reads.
const maxBody = 1 << 12

// wireEvent is the JSON a client sends: who sent it, its sequence number
// in that client's run, and a payload.
type wireEvent struct {
	Client int    `json:"client"`
	Seq    uint32 `json:"seq"`
	Kind   string `json:"kind"`
	Data   string `json:"data"`
}

// eventID is the ID of a client's seq-th event: unique within a run, and
// in client-then-sequence order.
func eventID(client int, seq uint32) uint64 { return uint64(client)<<32 | uint64(seq) }

// serviceRun is what one run of the service measured.
type serviceRun struct {
	accepted, rejected uint64        // counted by the handlers
	elapsed            time.Duration // from the start until every client stopped
	cpu                time.Duration // process CPU time from the start until drained
	handoff            lfmetrics.LatencySnapshot
	probe              regime.Probe
	regime             regime.Regime
	problems           []string
}

// clientLog is what one client saw, written once when it stops.
type clientLog struct {
	accepted []uint32 // sequence numbers answered 202, ascending
	rejected uint64   // answered 503
	other    uint64   // any other status
	err      error    // the request error that stopped it, if any
}

// runService runs the service once over a fresh transport of im. watch is
// as for runOnce; its counter is the accepted requests.
func runService(cfg *config, im impl, watch func(func() uint64) func()) serviceRun {
	t := im.make(cfg.capacity, cfg.layout)
	lat := new(lfmetrics.Latency)
	var accepted, rejected, bad atomic.Uint64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		var we wireEvent
		if err != nil || r.Method != http.MethodPost || json.Unmarshal(body, &we) != nil || we.Client < 0 || we.Client >= cfg.clients {
			bad.Add(1)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		e := Event{ID: eventID(we.Client, we.Seq)}
		copy(e.Payload[:], we.Data)
		e.Stamp = now()
		if t.tryPush(e) {
			accepted.Add(1)
			w.WriteHeader(http.StatusAccepted)
			return
		}
		rejected.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	})

	var sr serviceRun
	fail := func(format string, args ...any) { sr.problems = append(sr.problems, fmt.Sprintf(format, args...)) }
	// Loopback only: the service never listens on another address.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen on loopback: %v", err)
		return sr
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	tr := &http.Transport{MaxIdleConns: cfg.clients, MaxIdleConnsPerHost: cfg.clients, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	url := "http://" + ln.Addr().String() + "/events"

	logs := make([]clientLog, cfg.clients)
	processed := make([][]uint64, cfg.workers)
	runtime.GC()
	sample := regime.Begin()
	start := time.Now()
	deadline := start.Add(cfg.serviceDuration)

	var wwg, cwg sync.WaitGroup
	for i := range cfg.workers {
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			ids := make([]uint64, 0, 1024)
			x := uint64(i)
			for {
				e, ok := t.pop()
				if !ok {
					break
				}
				lat.Record(time.Duration(now() - e.Stamp))
				x = work(cfg.work, x^e.ID)
				ids = append(ids, e.ID)
			}
			processed[i] = ids
			workSink.Add(x)
		}()
	}
	for c := range cfg.clients {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			var l clientLog
			for seq := uint32(0); seq < maxRequests && time.Now().Before(deadline); seq++ {
				body, _ := json.Marshal(wireEvent{Client: c, Seq: seq, Kind: "click", Data: "0123456789abcdef0123456789abcdef"})
				resp, err := client.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					l.err = err
					break
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				switch {
				case err != nil:
					l.err = err
				case resp.StatusCode == http.StatusAccepted:
					l.accepted = append(l.accepted, seq)
				case resp.StatusCode == http.StatusServiceUnavailable:
					l.rejected++
				default:
					l.other++
				}
				if l.err != nil {
					break
				}
			}
			logs[c] = l
		}()
	}
	var done func()
	if watch != nil {
		done = watch(accepted.Load)
	}
	cwg.Wait()
	sr.elapsed = time.Since(start)
	// Graceful shutdown. The clients have stopped; closing their idle
	// connections first also ends those the transport dialed but never
	// used, which Shutdown would otherwise wait for (it leaves a new
	// connection a few seconds to send its first request). Once Shutdown
	// returns no handler runs, so no push follows the close below.
	tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	if err := srv.Shutdown(ctx); err != nil {
		fail("server shutdown: %v", err)
		srv.Close()
	}
	cancel()
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		fail("server: %v", err)
	}
	tr.CloseIdleConnections()
	t.close()
	wwg.Wait()
	// The sample gives CPU time per wall time since it began; times the
	// wall time since then, that is the CPU time of the run.
	sr.cpu = time.Duration(sample.CPUPerWall() * float64(time.Since(start)))
	if done != nil {
		done()
	}
	sr.accepted, sr.rejected = accepted.Load(), rejected.Load()
	sr.handoff = lat.Snapshot()
	sr.probe, sr.regime = sample.Probe(), sample.Regime()
	if n := bad.Load(); n > 0 {
		fail("%d requests the handler could not decode", n)
	}
	sr.problems = append(sr.problems, conservation(logs, processed, sr.accepted, sr.rejected)...)
	if sr.handoff.Count != sr.accepted {
		fail("%d push→pop latencies recorded for %d accepted events", sr.handoff.Count, sr.accepted)
	}
	return sr
}

// conservation checks that the events the clients saw accepted are the
// events the workers processed, each exactly once, and that the handlers'
// counts agree with the clients'. It returns the violations in words.
func conservation(logs []clientLog, processed [][]uint64, accepted, rejected uint64) []string {
	var problems []string
	var want []uint64 // ascending: clients in order, each's seqs ascending
	var clientRejected uint64
	for c, l := range logs {
		for _, seq := range l.accepted {
			want = append(want, eventID(c, seq))
		}
		clientRejected += l.rejected
		if l.other > 0 {
			problems = append(problems, fmt.Sprintf("client %d: %d answers neither 202 nor 503", c, l.other))
		}
		if l.err != nil {
			problems = append(problems, fmt.Sprintf("client %d: %v", c, l.err))
		}
	}
	if uint64(len(want)) != accepted {
		problems = append(problems, fmt.Sprintf("handlers accepted %d events, clients got %d answers 202", accepted, len(want)))
	}
	if clientRejected != rejected {
		problems = append(problems, fmt.Sprintf("handlers answered 503 %d times, clients got %d", rejected, clientRejected))
	}
	got := slices.Concat(processed...)
	slices.Sort(got)
	var lost, twice, unknown []uint64
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case j > 0 && j < len(got) && got[j] == got[j-1]:
			twice = append(twice, got[j])
			j++
		case j == len(got) || (i < len(want) && want[i] < got[j]):
			lost = append(lost, want[i])
			i++
		case i == len(want) || got[j] < want[i]:
			unknown = append(unknown, got[j])
			j++
		default: // equal
			i++
			j++
		}
	}
	for _, v := range []struct {
		ids  []uint64
		what string
	}{
		{lost, "accepted events were never processed"},
		{twice, "events were processed more than once"},
		{unknown, "events were processed but never accepted"},
	} {
		if len(v.ids) > 0 {
			problems = append(problems, fmt.Sprintf("conservation: %d %s (the first: client %d, event %d)",
				len(v.ids), v.what, v.ids[0]>>32, uint32(v.ids[0])))
		}
	}
	return problems
}

// serviceResult is one implementation in the service phase, over all
// rounds.
type serviceResult struct {
	Impl        string `json:"impl"`
	Description string `json:"description"`
	// AcceptedPerSec: requests answered 202 per second of each run's
	// client window, over the rounds.
	AcceptedPerSec spread `json:"accepted_per_sec"`
	// Push→pop latency quantiles and CPU time per accepted request (in
	// nanoseconds): the median over the rounds of each run's figure.
	P50NS           float64 `json:"p50_ns"`
	P99NS           float64 `json:"p99_ns"`
	P999NS          float64 `json:"p999_ns"`
	CPUPerRequestNS float64 `json:"cpu_per_request_ns"`
	// The per-round ratios to the channel's run of the same round and
	// regime, summarized; absent when the channel was not run.
	AcceptedToChannel *ratioSummary `json:"accepted_to_channel,omitempty"`
	P99ToChannel      *ratioSummary `json:"p99_to_channel,omitempty"`
	CPUToChannel      *ratioSummary `json:"cpu_to_channel,omitempty"`
	// Accepted and Rejected (answered 503) are summed over the rounds.
	Accepted uint64          `json:"accepted"`
	Rejected uint64          `json:"rejected"`
	Rounds   []serviceRecord `json:"rounds"`
	Problems []string        `json:"problems,omitempty"`
	OK       bool            `json:"ok"`
}

// serviceRecord is one run of the service.
type serviceRecord struct {
	Round           int     `json:"round"`
	Accepted        uint64  `json:"accepted"`
	Rejected        uint64  `json:"rejected"`
	Seconds         float64 `json:"seconds"`
	AcceptedPerSec  float64 `json:"accepted_per_sec"`
	P50NS           int64   `json:"p50_ns"`
	P99NS           int64   `json:"p99_ns"`
	P999NS          int64   `json:"p999_ns"`
	MaxNS           int64   `json:"max_ns"`
	CPUPerRequestNS float64 `json:"cpu_per_request_ns"`
	// The ratios to the channel's run of the same round, null when the
	// two runs' regimes differ.
	AcceptedToChannel *float64 `json:"accepted_to_channel"`
	P99ToChannel      *float64 `json:"p99_to_channel"`
	CPUToChannel      *float64 `json:"cpu_to_channel"`
	// Regime and the probe it was classified from.
	Regime          regime.Regime `json:"regime"`
	RoundTripNS     float64       `json:"round_trip_ns"`
	ProbeCPUPerWall float64       `json:"probe_cpu_per_wall"`
}

// add folds in one run.
func (r *serviceResult) add(round int, sr serviceRun) {
	rec := serviceRecord{
		Round:           round,
		Accepted:        sr.accepted,
		Rejected:        sr.rejected,
		Seconds:         sr.elapsed.Seconds(),
		P50NS:           int64(sr.handoff.Quantile(0.50)),
		P99NS:           int64(sr.handoff.Quantile(0.99)),
		P999NS:          int64(sr.handoff.Quantile(0.999)),
		MaxNS:           int64(sr.handoff.Max),
		Regime:          sr.regime,
		RoundTripNS:     float64(sr.probe.RoundTrip.Nanoseconds()),
		ProbeCPUPerWall: sr.probe.CPUPerWall,
	}
	if s := sr.elapsed.Seconds(); s > 0 {
		rec.AcceptedPerSec = float64(sr.accepted) / s
	}
	if sr.accepted > 0 {
		rec.CPUPerRequestNS = float64(sr.cpu.Nanoseconds()) / float64(sr.accepted)
	} else {
		r.Problems = append(r.Problems, fmt.Sprintf("round %d: no request was accepted", round))
	}
	for _, p := range sr.problems {
		r.Problems = append(r.Problems, fmt.Sprintf("round %d: %s", round, p))
	}
	r.Rounds = append(r.Rounds, rec)
	r.Accepted += sr.accepted
	r.Rejected += sr.rejected
}

// points returns a per-round figure of r, for pairing.
func (r *serviceResult) points(f func(*serviceRecord) float64) []regime.Point {
	ps := make([]regime.Point, len(r.Rounds))
	for i := range r.Rounds {
		rd := &r.Rounds[i]
		ps[i] = regime.Point{Round: rd.Round, Regime: rd.Regime, Value: f(rd)}
	}
	return ps
}

// serviceFigures are the per-round figures compared with the channel:
// how to read each from a run, and where its per-round ratio goes.
var serviceFigures = []struct {
	get   func(*serviceRecord) float64
	ratio func(*serviceRecord) **float64
	sum   func(*serviceResult) **ratioSummary
}{
	{func(rd *serviceRecord) float64 { return rd.AcceptedPerSec },
		func(rd *serviceRecord) **float64 { return &rd.AcceptedToChannel },
		func(r *serviceResult) **ratioSummary { return &r.AcceptedToChannel }},
	{func(rd *serviceRecord) float64 { return float64(rd.P99NS) },
		func(rd *serviceRecord) **float64 { return &rd.P99ToChannel },
		func(r *serviceResult) **ratioSummary { return &r.P99ToChannel }},
	{func(rd *serviceRecord) float64 { return rd.CPUPerRequestNS },
		func(rd *serviceRecord) **float64 { return &rd.CPUToChannel },
		func(r *serviceResult) **ratioSummary { return &r.CPUToChannel }},
}

// summarizeService fills in the medians and the ratios to the channel's
// runs, and the OK flags.
func summarizeService(rs []*serviceResult) {
	var ch *serviceResult
	for _, r := range rs {
		med := func(f func(*serviceRecord) float64) float64 {
			xs := make([]float64, len(r.Rounds))
			for i := range r.Rounds {
				xs[i] = f(&r.Rounds[i])
			}
			return regime.SpreadOf(xs).Median
		}
		rates := make([]float64, len(r.Rounds))
		for i, rd := range r.Rounds {
			rates[i] = rd.AcceptedPerSec
		}
		r.AcceptedPerSec = toSpread(regime.SpreadOf(rates))
		r.P50NS = med(func(rd *serviceRecord) float64 { return float64(rd.P50NS) })
		r.P99NS = med(func(rd *serviceRecord) float64 { return float64(rd.P99NS) })
		r.P999NS = med(func(rd *serviceRecord) float64 { return float64(rd.P999NS) })
		r.CPUPerRequestNS = med(func(rd *serviceRecord) float64 { return rd.CPUPerRequestNS })
		r.OK = len(r.Problems) == 0
		if r.Impl == "chan" {
			ch = r
		}
	}
	if ch == nil {
		return
	}
	for _, r := range rs {
		for _, f := range serviceFigures {
			byRound, sum := pairRatios(r.points(f.get), ch.points(f.get))
			*f.sum(r) = sum
			for i := range r.Rounds {
				if x, ok := byRound[r.Rounds[i].Round]; ok {
					*f.ratio(&r.Rounds[i]) = &x
				}
			}
		}
	}
}
