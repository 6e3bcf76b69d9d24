package regime

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRatiosNeverAcrossRoundsOrRegimes(t *testing.T) {
	a := []Point{
		{1, Near, 10},
		{2, Far, 30},  // peer ran near in round 2: no ratio
		{3, Near, 12}, // no peer point in round 3: no ratio
		{4, Turns, 8},
		{5, Far, 50},
	}
	b := []Point{
		{5, Far, 25}, // order does not matter: rounds pair
		{2, Near, 5},
		{1, Near, 20},
		{4, Turns, 4},
		{6, Near, 1}, // a has no round 6
	}
	got, skipped, err := Ratios(a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := []Ratio{{1, Near, 0.5}, {4, Turns, 2}, {5, Far, 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Ratios (-want +got):\n%s", diff)
	}
	if skipped != 2 {
		t.Errorf("skipped = %d, want 2", skipped)
	}
}

func TestRatiosErrors(t *testing.T) {
	for _, tc := range []struct{ a, b []Point }{
		{[]Point{{1, Near, 1}, {1, Near, 2}}, []Point{{1, Near, 1}}},
		{[]Point{{1, Near, 1}}, []Point{{1, Near, 1}, {1, Far, 2}}},
		{[]Point{{1, Near, 1}}, []Point{{1, Near, 0}}},
	} {
		if _, _, err := Ratios(tc.a, tc.b); err == nil {
			t.Errorf("Ratios(%v, %v): no error", tc.a, tc.b)
		}
	}
}

func TestSpreadOf(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want Spread
	}{
		{nil, Spread{}},
		{[]float64{3}, Spread{1, 3, 3, 3}},
		{[]float64{5, 1, 3}, Spread{3, 3, 1, 5}},
		{[]float64{4, 1, 3, 2}, Spread{4, 2.5, 1, 4}},
	} {
		if got := SpreadOf(tc.in); got != tc.want {
			t.Errorf("SpreadOf(%v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
