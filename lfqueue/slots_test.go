package lfqueue

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"unsafe"

	"github.com/lfkit/lfkit/internal/pad"
)

type (
	sz1   [1]byte
	sz8   [8]byte
	sz24  [24]byte
	sz56  [56]byte
	sz57  [57]byte
	sz64  [64]byte
	sz120 [120]byte
	sz200 [200]byte
	ptr8  struct{ p *int }
	ptr24 struct {
		s string
		p *int
	}
	ptr56 struct {
		p [7]*int
	}
	ptr120 struct {
		p *int
		b [112]byte
	}
	ptr200 struct {
		b [192]byte
		p *int
	}
)

// rangesOf returns the false-sharing ranges [addr, addr+n) touches.
func rangesOf(addr, n uintptr) (first, last uintptr) {
	if n == 0 {
		n = 1
	}
	return addr / pad.Size, (addr + n - 1) / pad.Size
}

// checkLayoutOpts proves the padding invariant on a live queue made with
// opts: the hot bytes (stamp and value) of every slot, head and tail each
// occupy false-sharing ranges that nothing else in the list occupies.
func checkLayoutOpts[T any](t *testing.T, capacity int, opts ...Option) {
	t.Helper()
	q := New[T](capacity, opts...)
	owner := map[uintptr]string{}
	claim := func(name string, addr, n uintptr) {
		f, l := rangesOf(addr, n)
		for r := f; r <= l; r++ {
			if o, dup := owner[r]; dup {
				t.Fatalf("%T cap %d: %s shares range %#x with %s", *new(T), capacity, name, r*pad.Size, o)
			}
			owner[r] = name
		}
	}
	claim("head", uintptr(unsafe.Pointer(&q.head)), 8)
	claim("tail", uintptr(unsafe.Pointer(&q.tail)), 8)
	var zero T
	hot := hotSize(reflect.TypeFor[T]())
	for i := 0; i < capacity; i++ {
		st, val := q.slot(uint64(i))
		a := uintptr(unsafe.Pointer(st))
		if a%8 != 0 {
			t.Fatalf("slot %d stamp misaligned at %#x", i, a)
		}
		if v := uintptr(unsafe.Pointer(val)); v+unsafe.Sizeof(zero) > a+hot || v < a+8 {
			t.Fatalf("slot %d value at %#x outside hot bytes [%#x,+%d)", i, v, a, hot)
		}
		claim(fmt.Sprintf("slot %d", i), a, hot)
	}
	// The slots must also be usable: fill and drain.
	for i := 0; i < capacity; i++ {
		if !q.TryPush(zero) {
			t.Fatalf("push %d failed", i)
		}
	}
	if q.TryPush(zero) {
		t.Fatal("push into full queue succeeded")
	}
}

// slotCase is one element type of the layout tests, with its checks
// instantiated: placement by the padded rule (with options) and, where remap
// is set, by the remap rule.
type slotCase struct {
	name   string
	padded func(t *testing.T, capacity int, opts ...Option)
	remap  func(t *testing.T, capacity int) // nil: not in the remap tests
}

func slotCaseOf[T any](name string, remap bool) slotCase {
	c := slotCase{name: name, padded: checkLayoutOpts[T]}
	if remap {
		c.remap = checkRemap[T]
	}
	return c
}

// slotCases are the element types of the layout tests: every size class
// around the range boundaries, with and without pointers.
var slotCases = []slotCase{
	slotCaseOf[struct{}]("struct{}", true),
	slotCaseOf[sz1]("sz1", true),
	slotCaseOf[sz8]("sz8", false),
	slotCaseOf[int]("int", true),
	slotCaseOf[sz24]("sz24", true),
	slotCaseOf[sz56]("sz56", true),
	slotCaseOf[sz57]("sz57", true),
	slotCaseOf[sz64]("sz64", false),
	slotCaseOf[sz120]("sz120", true),
	slotCaseOf[sz200]("sz200", false),
	slotCaseOf[*int]("*int", true),
	slotCaseOf[string]("string", true),
	slotCaseOf[any]("any", true),
	slotCaseOf[ptr8]("ptr8", true),
	slotCaseOf[ptr24]("ptr24", true),
	slotCaseOf[ptr56]("ptr56", true),
	slotCaseOf[ptr120]("ptr120", true),
	slotCaseOf[ptr200]("ptr200", false),
	slotCaseOf[[]byte]("[]byte", true),
}

func TestPaddingLayout(t *testing.T) {
	for _, c := range []int{1, 2, 3, 5, 31, 100, 257, 1000} {
		for _, sc := range slotCases {
			sc.padded(t, c, Padded())
		}
	}
}

func TestSizesOfTestTypes(t *testing.T) {
	// The fields only give the types their size and pointer layout.
	_, _, _, _, _, _, _ = ptr8{}.p, ptr24{}.s, ptr24{}.p, ptr56{}.p, ptr120{}.b, ptr200{}.b, ptr200{}.p
	for _, c := range []struct {
		got, want uintptr
	}{
		{unsafe.Sizeof(sz1{}), 1}, {unsafe.Sizeof(sz57{}), 57}, {unsafe.Sizeof(sz120{}), 120},
		{unsafe.Sizeof(sz200{}), 200},
	} {
		if c.got != c.want {
			t.Errorf("size %d, want %d", c.got, c.want)
		}
	}
	if unsafe.Sizeof(uintptr(0)) != 8 {
		return // the pointer-holding types are smaller on 32-bit platforms
	}
	for _, c := range []struct {
		got, want uintptr
	}{
		{unsafe.Sizeof(ptr120{}), 120}, {unsafe.Sizeof(ptr200{}), 200},
		{unsafe.Sizeof(ptr56{}), 56}, {unsafe.Sizeof(ptr24{}), 24},
	} {
		if c.got != c.want {
			t.Errorf("size %d, want %d", c.got, c.want)
		}
	}
}

// paddedStride and compactStride are the formulas the package doc states.
func paddedStride(size uintptr) uintptr {
	hot := 8 + (size+7)&^7
	return (hot + pad.Size - 1) &^ (pad.Size - 1)
}

func compactStride(size uintptr) uintptr {
	hot := 8 + (size+7)&^7
	if size == 0 {
		hot = 16 // a trailing zero-size field is padded
	}
	return hot
}

func strideOf[T any](compact bool, capacity int) uintptr {
	opt := Padded()
	if compact {
		opt = Compact()
	}
	return New[T](capacity, opt).stride
}

// TestCapacityGuide verifies the stride formula of the package doc against
// the real stride and logs the memory table the doc quotes.
func TestCapacityGuide(t *testing.T) {
	check := func(name string, size uintptr, padded, compact uintptr) {
		t.Helper()
		if want := paddedStride(size); padded != want {
			t.Errorf("%s: padded stride %d, doc formula says %d", name, padded, want)
		}
		if want := compactStride(size); compact != want {
			t.Errorf("%s: compact stride %d, doc formula says %d", name, compact, want)
		}
		t.Logf("%-10s padded %4d B/slot  compact %4d B/slot", name, padded, compact)
		for _, n := range []int{1e3, 1e4, 1e5, 1e6} {
			t.Logf("    %8d slots: padded %10.2f MiB  compact %10.2f MiB", n,
				float64(uintptr(n)*padded)/(1<<20), float64(uintptr(n)*compact)/(1<<20))
		}
	}
	if got := unsafe.Sizeof(Queue[int]{}); got > 8*pad.Size+64 {
		t.Errorf("Queue header is %d bytes; the doc says at most 8*pad.Size+64", got)
	}
	checkRemapGuide[int](t, "int")
	checkRemapGuide[string](t, "string")
	checkRemapGuide[struct{}](t, "struct{}")
	checkRemapGuide[sz64](t, "[64]byte")
	check("int", unsafe.Sizeof(0), strideOf[int](false, 1e5), strideOf[int](true, 1e5))
	check("struct{}", 0, strideOf[struct{}](false, 1e5), strideOf[struct{}](true, 1e5))
	check("[64]byte", 64, strideOf[sz64](false, 1e5), strideOf[sz64](true, 1e5))
	check("[200]byte", 200, strideOf[sz200](false, 1e5), strideOf[sz200](true, 1e5))
	check("string", unsafe.Sizeof(""), strideOf[string](false, 1e5), strideOf[string](true, 1e5))
	check("*int", unsafe.Sizeof(new(int)), strideOf[*int](false, 1e5), strideOf[*int](true, 1e5))
}

// TestPaddedStrideExact checks the padded layout for capacities 1..64 and a
// range of element sizes, with and without pointers: the stride is exactly
// the documented formula (hot bytes rounded up to pad.Size), and every
// slot's hot bytes, by address, lie in false-sharing ranges no other slot
// touches. Pointer-holding elements are the hard case: with the 8-byte
// malloc header, some size classes start off a range boundary.
func TestPaddedStrideExact(t *testing.T) {
	sizes := []int{0, 1, 8, 16, 24, 56, 64, 72, 104, 112, 120, 128, 136, 200, 240, 248, 256, 376, 504, 600}
	for _, size := range sizes {
		for _, ptr := range []bool{false, true} {
			typ := elemType(size, ptr)
			hot := hotSize(typ)
			want := paddedStride(typ.Size())
			for c := 1; c <= 64; c++ {
				r := newRing(typ, c, LayoutPadded)
				if r.stride != want {
					t.Fatalf("%v, capacity %d: stride %d, doc formula says %d", typ, c, r.stride, want)
				}
				owner := map[uintptr]int{}
				for i := 0; i < c; i++ {
					a := uintptr(r.base) + uintptr(i)*r.stride
					first, last := rangesOf(a, hot)
					for g := first; g <= last; g++ {
						if o, dup := owner[g]; dup {
							t.Fatalf("%v, capacity %d: slots %d and %d share range %#x", typ, c, o, i, g*pad.Size)
						}
						owner[g] = i
					}
				}
			}
		}
	}
}

// TestCompactPlacement checks the compact layout by address: slots are back
// to back at the documented stride, every stamp 8-byte aligned.
func TestCompactPlacement(t *testing.T) {
	// Compact is the default layout while two slots fit in a range, and
	// Padded above that.
	same := func(a, b ring) bool {
		return a.stride == b.stride && a.valOff == b.valOff && a.rmask == b.rmask && a.gshift == b.gshift && a.rshift == b.rshift
	}
	for _, c := range []int{1, 9, 1000} {
		if d, r := New[int](c).ring, New[int](c, Compact()).ring; !same(d, r) {
			t.Fatalf("cap %d: default layout of int %+v, Compact %+v", c, d, r)
		}
		if d, r := New[[pad.Size/2 - 8]byte](c).ring, New[[pad.Size/2 - 8]byte](c, Compact()).ring; !same(d, r) {
			t.Fatalf("cap %d: default layout of [%d]byte (two slots per range) %+v, Compact %+v", c, pad.Size/2-8, d, r)
		}
		if d, r := New[[pad.Size/2 - 7]byte](c).ring, New[[pad.Size/2 - 7]byte](c, Padded()).ring; !same(d, r) {
			t.Fatalf("cap %d: default layout of [%d]byte (one slot per range) %+v, Padded %+v", c, pad.Size/2-7, d, r)
		}
		if d, r := New[sz64](c).ring, New[sz64](c, Padded()).ring; !same(d, r) {
			t.Fatalf("cap %d: default layout of [64]byte %+v, Padded %+v", c, d, r)
		}
		if d, r := New[sz64](c).slotsPerRange, New[sz64](c, Padded()).slotsPerRange; d != r {
			t.Fatalf("cap %d: default pushWatch run of [64]byte %d, Padded's %d", c, d, r)
		}
	}
	check := func(name string, size uintptr, stamps []uintptr, stride uintptr) {
		t.Helper()
		if want := compactStride(size); stride != want {
			t.Fatalf("%s: compact stride %d, doc formula says %d", name, stride, want)
		}
		for i, a := range stamps {
			if a%8 != 0 || a != stamps[0]+uintptr(i)*stride {
				t.Fatalf("%s: slot %d stamp at %#x, want %#x (8-aligned)", name, i, a, stamps[0]+uintptr(i)*stride)
			}
		}
	}
	check("int", unsafe.Sizeof(0), compactStamps(New[int](33, Compact())), New[int](1, Compact()).stride)
	check("struct{}", 0, compactStamps(New[struct{}](33, Compact())), New[struct{}](1, Compact()).stride)
	check("string", unsafe.Sizeof(""), compactStamps(New[string](33, Compact())), New[string](1, Compact()).stride)
	check("[64]byte", 64, compactStamps(New[sz64](33, Compact())), New[sz64](1, Compact()).stride)
	check("ptr120", 120, compactStamps(New[ptr120](33, Compact())), New[ptr120](1, Compact()).stride)
}

func compactStamps[T any](q *Queue[T]) []uintptr {
	var out []uintptr
	for i := range q.Cap() {
		st, _ := q.slot(uint64(i))
		out = append(out, uintptr(unsafe.Pointer(st)))
	}
	return out
}

// TestMemoryPerSlot measures the bytes New[int](1<<16) allocates, with
// runtime.MemStats around it, for each layout, and checks them against the
// documented stride (plus the Queue header).
func TestMemoryPerSlot(t *testing.T) {
	const n = 1 << 16
	measure := func(opts ...Option) float64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		q := New[int](n, opts...)
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(q)
		return float64(after.TotalAlloc-before.TotalAlloc) / n
	}
	for _, c := range []struct {
		name   string
		opts   []Option
		stride uintptr
	}{
		{"default", nil, compactStride(unsafe.Sizeof(0))},
		{"padded", []Option{Padded()}, paddedStride(unsafe.Sizeof(0))},
		{"compact", []Option{Compact()}, compactStride(unsafe.Sizeof(0))},
		{"remap", []Option{Remap()}, remapStrideFor(unsafe.Sizeof(0))},
	} {
		got := measure(c.opts...)
		t.Logf("New[int](1<<16), %s: %.2f bytes per slot (stride %d)", c.name, got, c.stride)
		if got < float64(c.stride) || got > float64(c.stride)+float64(7*pad.Size)/n+1 {
			t.Errorf("%s: %.2f bytes per slot, documented stride %d", c.name, got, c.stride)
		}
		if c.name == "default" && got > 32 {
			t.Errorf("default layout: %.2f bytes per int slot, the target is at most 32", got)
		}
	}
}

// remapStrideFor is the remap slot size the Remap doc states: the stamp and
// T rounded up to a power of two, or the padded stride from half a range up.
func remapStrideFor(size uintptr) uintptr {
	hot := compactStride(size)
	g := uintptr(8)
	for g < hot {
		g *= 2
	}
	if g >= pad.Size {
		return paddedStride(size)
	}
	return g
}

// checkRemap proves the remap layout by address on a live queue: the stride
// is the documented one; every slot's hot bytes lie inside the slot array,
// in one false-sharing range, and overlap no other slot; consecutive
// indices i, i+1 < n lie in different ranges whenever the capacity exceeds
// one range's slots; and the wrap from n-1 to 0 shares a range only in the
// documented case (R divides n-1). Then the queue must fill and drain.
func checkRemap[T any](t *testing.T, capacity int) {
	t.Helper()
	q := New[T](capacity, Remap())
	var zero T
	name := fmt.Sprintf("%T cap %d", zero, capacity)
	hot := hotSize(reflect.TypeFor[T]())
	want := remapStrideFor(unsafe.Sizeof(zero))
	if q.stride != want {
		t.Fatalf("%s: stride %d, doc says %d", name, q.stride, want)
	}
	if want >= pad.Size {
		// Remap is the padded layout for this T; checkLayout proves that.
		if q.rmask != ^uint64(0) || q.rshift != 63 {
			t.Fatalf("%s: large T not on the padded layout", name)
		}
		return
	}
	if uintptr(q.base)%pad.Size != 0 {
		t.Fatalf("%s: slot array at %#x, not range aligned", name, q.base)
	}
	perRange := int(pad.Size / q.stride)
	groups := 1
	for groups*perRange < capacity {
		groups *= 2
	}
	end := uintptr(q.base) + uintptr(groups*perRange)*q.stride
	rangeOf := make([]uintptr, capacity)
	seen := map[uintptr]int{}
	for i := 0; i < capacity; i++ {
		st, val := q.slot(uint64(i))
		a := uintptr(unsafe.Pointer(st))
		if a%8 != 0 || a < uintptr(q.base) || a+hot > end {
			t.Fatalf("%s: slot %d at %#x outside the array [%#x,%#x) or misaligned", name, i, a, q.base, end)
		}
		if v := uintptr(unsafe.Pointer(val)); v < a+8 || v+unsafe.Sizeof(zero) > a+hot {
			t.Fatalf("%s: slot %d value outside its hot bytes", name, i)
		}
		if o, dup := seen[(a-uintptr(q.base))/q.stride]; dup || (a-uintptr(q.base))%q.stride != 0 {
			t.Fatalf("%s: slots %d and %d overlap", name, o, i)
		}
		seen[(a-uintptr(q.base))/q.stride] = i
		first, last := rangesOf(a, hot)
		if first != last {
			t.Fatalf("%s: slot %d straddles two ranges", name, i)
		}
		rangeOf[i] = first
	}
	for i := 0; i+1 < capacity; i++ {
		if capacity > perRange && rangeOf[i] == rangeOf[i+1] {
			t.Fatalf("%s: consecutive slots %d and %d share range %#x", name, i, i+1, rangeOf[i]*pad.Size)
		}
	}
	if wrapShares := capacity > 1 && rangeOf[capacity-1] == rangeOf[0]; capacity > perRange && wrapShares != ((capacity-1)%groups == 0) {
		t.Fatalf("%s: wrap from %d to 0 shares a range: %v, doc says %v", name, capacity-1, wrapShares, (capacity-1)%groups == 0)
	}
	for i := 0; i < capacity; i++ {
		if !q.TryPush(zero) {
			t.Fatalf("%s: push %d failed", name, i)
		}
	}
	if q.TryPush(zero) {
		t.Fatalf("%s: push into full queue succeeded", name)
	}
}

func TestRemapPlacement(t *testing.T) {
	caps := []int{1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 100, 127, 129, 257, 1000, 1024, 1025, 4097}
	for _, c := range caps {
		for _, sc := range slotCases {
			if sc.remap != nil {
				sc.remap(t, c)
			}
		}
		// Large T: Remap is the padded layout, with its placement.
		if c <= 257 {
			checkLayoutOpts[ptr120](t, c, Remap())
		}
	}
}

// TestRemapRandomSizes checks the remap placement for capacities 1..200 and
// element sizes with and without pointers, including the realigned (Lead)
// path that pointer-holding arrays with a malloc header take.
func TestRemapRandomSizes(t *testing.T) {
	for _, size := range []int{0, 1, 8, 16, 24, 40, 48, 56} {
		for _, ptr := range []bool{false, true} {
			typ := elemType(size, ptr)
			hot := hotSize(typ)
			g := remapStrideFor(typ.Size())
			if g >= pad.Size {
				continue // Remap is the padded layout; TestPaddedStrideExact covers it
			}
			for c := 1; c <= 200; c++ {
				r := newRing(typ, c, LayoutRemap)
				if r.stride != g || uintptr(r.base)%pad.Size != 0 {
					t.Fatalf("%v cap %d: stride %d (want %d), base %#x", typ, c, r.stride, g, r.base)
				}
				prev := ^uintptr(0)
				used := map[uint64]bool{}
				for i := uint64(0); i < uint64(c); i++ {
					p := r.phys(i)
					if used[p] {
						t.Fatalf("%v cap %d: index %d reuses physical slot %d", typ, c, i, p)
					}
					used[p] = true
					first, last := rangesOf(uintptr(r.base)+uintptr(p)*r.stride, hot)
					if first != last || (c > int(pad.Size/g) && first == prev) {
						t.Fatalf("%v cap %d: index %d in range %#x (previous %#x, last %#x)", typ, c, i, first, prev, last)
					}
					prev = first
				}
			}
		}
	}
}

func TestRemapConcurrent(t *testing.T) {
	for _, capacity := range []int{1, 3, 8, 9, 64, 100} {
		for _, P := range []int{1, 3} {
			for _, C := range []int{1, 3} {
				for _, early := range []bool{false, true} {
					t.Run(fmt.Sprintf("cap%d/P%d/C%d/early=%v", capacity, P, C, early), func(t *testing.T) {
						stressRun(t, New[uint64](capacity, Remap()), P, C, 2000, early, uint64(capacity*16+P*4+C))
					})
				}
			}
		}
	}
}

// remapBytes is the doc's formula for the remap slot array: with S =
// pad.Size/g slots per range, ceil(n/S) ranges rounded up to a power of two.
func remapBytes(size uintptr, n int) uintptr {
	g := remapStrideFor(size)
	if g >= pad.Size {
		return uintptr(n) * g
	}
	per := int(pad.Size / g)
	r := 1
	for r*per < n {
		r *= 2
	}
	return uintptr(r) * pad.Size
}

// checkRemapGuide checks remapBytes against the real remap ring and logs the
// doc's table row.
func checkRemapGuide[T any](t *testing.T, name string) {
	t.Helper()
	size := unsafe.Sizeof(*new(T))
	line := fmt.Sprintf("%-10s remap %3d B/slot:", name, remapStrideFor(size))
	for _, n := range []int{1e3, 1e4, 1e5, 1e6} {
		q := newRing(reflect.TypeFor[T](), n, LayoutRemap) // the ring New builds, without the stamps
		got := uintptr(n) * q.stride
		if q.rshift != 63 {
			got = uintptr(q.rmask+1) * pad.Size
		}
		if want := remapBytes(size, n); got != want {
			t.Errorf("%s, %d slots: remap array %d bytes, doc formula says %d", name, n, got, want)
		}
		line += fmt.Sprintf("  %d: %.2f MiB (%.1f B/slot)", n, float64(got)/(1<<20), float64(got)/float64(n))
	}
	t.Log(line)
}

// TestLayoutReported: Layout reports the layout a queue got, by default
// and by option, including Remap's fallback to Padded for large slots, and
// two options that choose different layouts panic instead of one winning.
func TestLayoutReported(t *testing.T) {
	cases := []struct {
		name string
		got  Layout
		want Layout
	}{
		{"int default", New[int](8).Layout(), LayoutCompact},
		{"[56]byte default", New[[56]byte](8).Layout(), LayoutCompact},
		{"[57]byte default", New[[57]byte](8).Layout(), LayoutPadded},
		{"int Padded", New[int](8, Padded()).Layout(), LayoutPadded},
		{"[88]byte Compact", New[[88]byte](8, Compact()).Layout(), LayoutCompact},
		{"int Remap", New[int](8, Remap()).Layout(), LayoutRemap},
		{"[200]byte Remap", New[[200]byte](8, Remap()).Layout(), LayoutPadded},
		{"int Padded twice", New[int](8, Padded(), Padded()).Layout(), LayoutPadded},
	}
	if pad.Size != 128 {
		cases = cases[3:] // the size boundaries above are amd64's
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: Layout() = %v, want %v", c.name, c.got, c.want)
		}
	}
	for l, s := range map[Layout]string{LayoutPadded: "padded", LayoutCompact: "compact", LayoutRemap: "remap", 9: "Layout(9)"} {
		if l.String() != s {
			t.Errorf("Layout(%d).String() = %q, want %q", uint8(l), l.String(), s)
		}
	}
	checkPanics(t, "New with Padded and Compact", "lfqueue: New: conflicting layout options padded and compact", func() {
		New[int](8, Padded(), Compact())
	})
}

// elemType is an element type of size bytes: a byte array, or with ptr a
// struct that starts with a pointer (at least 8 bytes).
func elemType(size int, ptr bool) reflect.Type {
	if !ptr {
		return reflect.ArrayOf(size, reflect.TypeFor[byte]())
	}
	return reflect.StructOf([]reflect.StructField{
		{Name: "P", Type: reflect.TypeFor[*int]()},
		{Name: "B", Type: reflect.ArrayOf(max(size-8, 0), reflect.TypeFor[byte]())},
	})
}
