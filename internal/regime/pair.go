package regime

import (
	"fmt"
	"slices"
)

// A Point is one measured figure of an interleaved run: the round it was
// taken in and the regime it ran in.
type Point struct {
	Round  int
	Regime Regime
	Value  float64
}

// A Ratio is one point divided by its peer's point of the same round and
// the same regime.
type Ratio struct {
	Round  int
	Regime Regime
	Value  float64
}

// Ratios divides each point of a by the point of b taken in the same round,
// when both ran in the same regime; points whose round has no peer point,
// or whose peer ran in another regime, give no ratio and are counted in
// skipped. A point is never divided by a point of another round or another
// regime. Ratios are in the order of a. It returns an error if a round
// appears twice in a or in b, or if a peer value is not positive.
func Ratios(a, b []Point) (ratios []Ratio, skipped int, err error) {
	peer := map[int]Point{}
	for _, p := range b {
		if _, dup := peer[p.Round]; dup {
			return nil, 0, fmt.Errorf("regime: round %d appears twice among the peer's points", p.Round)
		}
		peer[p.Round] = p
	}
	seen := map[int]bool{}
	for _, p := range a {
		if seen[p.Round] {
			return nil, 0, fmt.Errorf("regime: round %d appears twice", p.Round)
		}
		seen[p.Round] = true
		q, ok := peer[p.Round]
		if !ok || q.Regime != p.Regime {
			skipped++
			continue
		}
		if q.Value <= 0 {
			return nil, 0, fmt.Errorf("regime: round %d: peer value %v is not positive", p.Round, q.Value)
		}
		ratios = append(ratios, Ratio{p.Round, p.Regime, p.Value / q.Value})
	}
	return ratios, skipped, nil
}

// Spread is the median, minimum and maximum of some figures, and how many
// there were.
type Spread struct {
	N                int
	Median, Min, Max float64
}

// SpreadOf summarizes xs (the median of an even count is the mean of the
// middle two); the zero Spread for none.
func SpreadOf(xs []float64) Spread {
	if len(xs) == 0 {
		return Spread{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	m := s[n/2]
	if n%2 == 0 {
		m = (s[n/2-1] + s[n/2]) / 2
	}
	return Spread{N: n, Median: m, Min: s[0], Max: s[n-1]}
}

// RatioSpread summarizes the values of rs.
func RatioSpread(rs []Ratio) Spread {
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = r.Value
	}
	return SpreadOf(xs)
}
