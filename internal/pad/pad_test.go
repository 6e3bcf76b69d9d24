package pad

import (
	"math"
	"runtime"
	"testing"
	"unsafe"
)

func TestSizePerArch(t *testing.T) {
	want := map[string]int{
		"amd64": 128, "arm64": 128, "ppc64": 128, "ppc64le": 128,
		"s390x": 256, "386": 64, "arm": 64, "riscv64": 64, "wasm": 64,
		"mips64": 64, "loong64": 64,
	}
	w, ok := want[runtime.GOARCH]
	if !ok {
		w = 64
	}
	if Size != w {
		t.Fatalf("Size on %s = %d, want %d", runtime.GOARCH, Size, w)
	}
	if Size&(Size-1) != 0 {
		t.Fatalf("Size %d is not a power of two", Size)
	}
	if unsafe.Sizeof(Line{}) != Size {
		t.Fatalf("sizeof(Line) = %d, want %d", unsafe.Sizeof(Line{}), Size)
	}
}

func TestRoundUpToSize(t *testing.T) {
	cases := []struct {
		in, want int
		ok       bool
	}{
		{0, Size, true},
		{1, Size, true},
		{Size - 1, Size, true},
		{Size, Size, true},
		{Size + 1, 2 * Size, true},
		{3*Size - 1, 3 * Size, true},
		{-1, 0, false},
		{math.MaxInt, 0, false},
		{math.MaxInt - Size + 2, 0, false},
		{math.MaxInt &^ (Size - 1), math.MaxInt &^ (Size - 1), true},
	}
	for _, c := range cases {
		got, ok := RoundUp(c.in, Size)
		if got != c.want || ok != c.ok {
			t.Errorf("RoundUp(%d, Size) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestRoundUpProperties(t *testing.T) {
	for _, align := range []int{1, 2, 8, 64, 128, 256} {
		for n := 0; n < 3*align+3; n++ {
			r, ok := RoundUp(n, align)
			if !ok {
				t.Fatalf("RoundUp(%d, %d) failed", n, align)
			}
			if r%align != 0 || r < n || (n > 0 && r-n >= align) || (n == 0 && r != align) {
				t.Fatalf("RoundUp(%d, %d) = %d", n, align, r)
			}
		}
	}
	for _, bad := range []int{0, -8, 3, 12} {
		if _, ok := RoundUp(5, bad); ok {
			t.Errorf("RoundUp(5, %d) accepted a bad alignment", bad)
		}
	}
}

func TestMulSize(t *testing.T) {
	cases := []struct {
		a, b, want int
		ok         bool
	}{
		{0, 5, 0, true},
		{5, 0, 0, true},
		{3, 7, 21, true},
		{-1, 2, 0, false},
		{2, -1, 0, false},
		{math.MaxInt, 1, math.MaxInt, true},
		{math.MaxInt, 2, 0, false},
		{math.MaxInt/128 + 1, 128, 0, false},
		{math.MaxInt / 128, 128, (math.MaxInt / 128) * 128, true},
	}
	for _, c := range cases {
		got, ok := MulSize(c.a, c.b)
		if got != c.want || ok != c.ok {
			t.Errorf("MulSize(%d, %d) = %d, %v; want %d, %v", c.a, c.b, got, ok, c.want, c.ok)
		}
	}
}
