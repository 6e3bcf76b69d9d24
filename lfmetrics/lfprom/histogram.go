package lfprom

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lfkit/lfkit/lfmetrics"
)

// histogram exports lfmetrics.LatencySnapshots as one Prometheus
// histogram, in seconds, with fixed upper bounds. NewCollector's query
// latency and NewLatencyCollector both use it.
type histogram struct {
	desc     *prometheus.Desc
	bounds   []float64       // upper bounds in seconds, increasing
	boundsNs []time.Duration // bounds[i] as the greatest whole nanosecond it admits
}

// newHistogram returns the histogram of desc with the given upper bounds
// (copied). It panics if they are not increasing, as client_golang's own
// constructors do.
func newHistogram(desc *prometheus.Desc, upperBounds []float64) *histogram {
	h := &histogram{desc: desc, bounds: append([]float64(nil), upperBounds...)}
	for i, b := range h.bounds {
		if i > 0 && !(b > h.bounds[i-1]) {
			panic("lfprom: histogram bucket bounds must be in increasing order")
		}
		h.boundsNs = append(h.boundsNs, secondsToDuration(b))
	}
	return h
}

// secondsToDuration converts an upper bound in seconds to the greatest
// whole nanosecond it admits, saturating at the ends of time.Duration.
func secondsToDuration(s float64) time.Duration {
	ns := s * 1e9
	switch {
	case ns >= 1<<63-1:
		return 1<<63 - 1
	case ns < 0:
		return -1
	}
	d := time.Duration(ns)
	if float64(d) > ns { // rounded up past the bound
		d--
	}
	return d
}

// metric returns s as the histogram's constant metric. Its sum and count
// are exact; an lfmetrics bucket counts under an upper bound when all of
// it lies at or below the bound (see NewCollector).
func (h *histogram) metric(s lfmetrics.LatencySnapshot) prometheus.Metric {
	cum := make(map[float64]uint64, len(h.bounds))
	var seen uint64
	j := 0
	for i, bound := range h.boundsNs {
		for j < len(s.Buckets) && s.Buckets[j].High <= bound {
			seen += s.Buckets[j].Count
			j++
		}
		cum[h.bounds[i]] = seen
	}
	m, err := prometheus.NewConstHistogram(h.desc, s.Count, s.Sum.Seconds(), cum)
	if err != nil {
		return prometheus.NewInvalidMetric(h.desc, err)
	}
	return m
}
