package lfmetrics

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzLatencyRecord records arbitrary durations — negative, zero, huge,
// math.MaxInt64 — taken 8 bytes at a time (little-endian int64; a shorter
// tail is a small value), then checks the snapshot against the slow model,
// its consistency, quantile bounds, and that Reset and Total agree. The
// seed corpus is in testdata/fuzz/FuzzLatencyRecord.
func FuzzLatencyRecord(f *testing.F) {
	f.Add(binary.LittleEndian.AppendUint64(nil, math.MaxInt64))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ds []time.Duration
		for len(data) >= 8 {
			ds = append(ds, time.Duration(binary.LittleEndian.Uint64(data)))
			data = data[8:]
		}
		for _, b := range data {
			ds = append(ds, time.Duration(int8(b)))
		}
		var l Latency
		for _, d := range ds {
			l.Record(d)
		}
		s := l.Snapshot()
		checkLatency(t, "snapshot", s, ds)
		if diff := cmp.Diff(s, l.Reset()); diff != "" {
			t.Fatalf("Reset differs from Snapshot (-snapshot +reset):\n%s", diff)
		}
		if diff := cmp.Diff(s, l.Total()); diff != "" {
			t.Fatalf("Total differs from the only interval:\n%s", diff)
		}
		if diff := cmp.Diff(LatencySnapshot{}, l.Snapshot()); diff != "" {
			t.Fatalf("Snapshot after Reset:\n%s", diff)
		}
	})
}

// FuzzMetrics decodes its input into a sequence of Metrics operations —
// RecordQuery with durations from math.MinInt64 to math.MaxInt64 (the
// edges, around MaxTrackable, raw), RecordIngest, RecordIngestBatch
// (negative and huge n included), RecordError, clock steps, Snapshot (and
// Sub against the previous one), Reset, Total, the accessors, and Reset,
// Snapshot and Total of a Latency fed the same durations — and checks each
// reading against the sequential model metricsMachine keeps, the one
// TestMetricsStateMachine drives. Seed and regression inputs are in
// testdata/fuzz/FuzzMetrics.
//
// Layout: one op byte per operation (op = byte % 13), then its operand
// bytes; reading past the end yields zeros, so every input is valid.
//
//	0, 1, 2  RecordQuery(duration)   duration: a kind byte (% 12), then its bytes
//	3        RecordIngest
//	4        RecordIngestBatch(n)    n = int8(byte); if the next byte&7 == 0,
//	                                 n = int64(8 bytes little-endian) >> 1
//	5        RecordError
//	6        clock += byte ms
//	7        Snapshot                8  Reset     9  Total
//	10       accessors at q = byte/255
//	11       Latency.Reset           12 Latency.Snapshot and Total
func FuzzMetrics(f *testing.F) {
	f.Add([]byte{0, 1, 0, 2, 0, 3, 0, 7, 5, 9, 6, 10})
	f.Add([]byte{0, 4, 0, 4, 1, 5, 2, 6, 8, 0, 5, 9, 9, 11, 3, 12})
	f.Add([]byte{0, 0, 0, 5, 0, 6, 0, 7, 4, 200, 10, 3, 250, 9, 11})
	f.Fuzz(func(t *testing.T, data []byte) {
		const maxOps = 600
		r := &byteInput{b: data}
		mc := newMetricsMachine(false)
		for i := 0; r.more() && i < maxOps; i++ {
			switch r.intn(13) {
			case 0, 1, 2:
				mc.recordQuery(fuzzDuration(r))
			case 3:
				mc.recordIngest()
			case 4:
				n := int(int8(r.byte()))
				if r.byte()&7 == 0 {
					n = int(int64(r.uint64()) >> 1) // huge, either sign
				}
				mc.recordBatch(n)
			case 5:
				mc.recordError()
			case 6:
				mc.tick(time.Duration(r.byte()) * time.Millisecond)
			case 7:
				mc.snapshot(t)
			case 8:
				mc.reset(t)
			case 9:
				mc.total(t)
			case 10:
				mc.accessors(t, float64(r.byte())/255)
			case 11:
				mc.latencyReset(t)
			case 12:
				mc.latencySnapshot(t)
			}
		}
		mc.finish(t)
	})
}

// fuzzDuration decodes a duration: a kind byte, then its operand bytes.
func fuzzDuration(r *byteInput) time.Duration {
	switch r.intn(12) {
	case 0:
		return 0
	case 1:
		return -time.Duration(1 + r.intn(100))
	case 2:
		return math.MinInt64
	case 3:
		return math.MaxInt64
	case 4:
		return MaxTrackable + time.Duration(r.intn(5)) - 2
	case 5:
		return time.Duration(r.intn(128)) // the exact one-value buckets and past them
	case 6:
		return time.Duration(r.byte())<<8 | time.Duration(r.byte())
	case 7:
		return time.Duration(r.uint64() >> r.intn(64)) // any magnitude
	case 8:
		return time.Hour + time.Duration(r.intn(256))*time.Minute
	}
	return time.Duration(r.uint64() % uint64(10*time.Second))
}

// byteInput decodes fuzzer bytes; reading past the end yields zeros.
type byteInput struct {
	b []byte
	i int
}

func (r *byteInput) more() bool { return r.i < len(r.b) }

func (r *byteInput) byte() byte {
	if r.i >= len(r.b) {
		return 0
	}
	c := r.b[r.i]
	r.i++
	return c
}

// intn returns a value in [0, n) from one byte (n ≤ 256).
func (r *byteInput) intn(n int) int { return int(r.byte()) % n }

func (r *byteInput) uint64() uint64 {
	var buf [8]byte
	for k := range buf {
		buf[k] = r.byte()
	}
	return binary.LittleEndian.Uint64(buf[:])
}
