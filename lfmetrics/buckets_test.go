package lfmetrics

import (
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestBucketLayoutContiguous(t *testing.T) {
	if got := bucketLow(0); got != 0 {
		t.Fatalf("bucketLow(0) = %d, want 0", got)
	}
	for i := 0; i < numBuckets; i++ {
		lo, hi := bucketLow(i), uint64(lows[i+1]-1)
		if lo > hi {
			t.Fatalf("bucket %d: low %d > high %d", i, lo, hi)
		}
		if i+1 < numBuckets && bucketLow(i+1) != hi+1 {
			t.Fatalf("bucket %d ends at %d but bucket %d starts at %d", i, hi, i+1, bucketLow(i+1))
		}
		if bucketOf(lo) != i || bucketOf(hi) != i {
			t.Fatalf("bucket %d = [%d, %d] but bucketOf maps its ends to %d and %d", i, lo, hi, bucketOf(lo), bucketOf(hi))
		}
		if i < numBuckets-1 {
			if width := hi - lo + 1; float64(width) > RelativeError*float64(max(lo, 1)) && width > 1 {
				t.Fatalf("bucket %d = [%d, %d] is wider than RelativeError of its low bound", i, lo, hi)
			}
			if mid := bucketMid(i); mid < lo || mid > hi {
				t.Fatalf("bucket %d: mid %d outside [%d, %d]", i, mid, lo, hi)
			}
		}
	}
	if lows[numBuckets]-1 != math.MaxInt64 {
		t.Fatalf("top bucket ends at %d, want MaxInt64", lows[numBuckets]-1)
	}
}

func TestBucketRange(t *testing.T) {
	if MaxTrackable < time.Hour {
		t.Fatalf("MaxTrackable = %v, want at least an hour", MaxTrackable)
	}
	if RelativeError > 0.032 {
		t.Fatalf("RelativeError = %v, want ≤ 3.2%%", RelativeError)
	}
	// MaxTrackable is the end of the last regular range, in the top bucket.
	if got := bucketOf(uint64(MaxTrackable)); got != numBuckets-1 {
		t.Fatalf("bucketOf(MaxTrackable) = %d, want %d", got, numBuckets-1)
	}
	if got := bucketOf(uint64(MaxTrackable) + 1); got != numBuckets-1 {
		t.Fatalf("bucketOf(MaxTrackable+1) = %d, want the top bucket", got)
	}
	if got := bucketOf(math.MaxUint64); got != numBuckets-1 {
		t.Fatalf("bucketOf(MaxUint64) = %d, want the top bucket", got)
	}
	for v := uint64(0); v < 2*subCount; v++ {
		if bucketOf(v) != int(v) {
			t.Fatalf("bucketOf(%d) = %d: small values must be exact", v, bucketOf(v))
		}
	}
}

func TestBucketOfProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := rapid.Uint64Range(0, uint64(MaxTrackable)).Draw(t, "v")
		i := bucketOf(v)
		lo, hi := bucketLow(i), uint64(lows[i+1]-1)
		if v < lo || v > hi {
			t.Fatalf("v=%d in bucket %d = [%d, %d]", v, i, lo, hi)
		}
		mid := bucketMid(i)
		diff := max(mid, v) - min(mid, v)
		if diff*2*subCount > v { // |mid−v| ≤ v/64
			t.Fatalf("v=%d: midpoint %d off by %d, more than v/64", v, mid, diff)
		}
	})
}
