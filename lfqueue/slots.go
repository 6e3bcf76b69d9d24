package lfqueue

import (
	"fmt"
	"math/bits"
	"reflect"
	"unsafe"

	"github.com/lfkit/lfkit/internal/pad"
)

// ring is the slot array. It is written once by New and only read afterwards.
//
// Layout invariant (padded mode). Each slot is an element of a struct type
// built at run time with reflect.StructOf:
//
//	struct {
//		Lead  [lead]byte // only when the allocation is misaligned, see below
//		Stamp uint64     // atomic; lap and index, see queue.go
//		Value T
//		Pad   [k]byte    // brings the size to stride, a multiple of pad.Size
//	}
//
// The backing store is a reflect.MakeSlice of that type, so the garbage
// collector knows exactly where the pointers inside every Value are: slot i
// is element i of a real Go array, never a reinterpretation of some other
// memory. base points at element 0's Stamp and slot i lives at
// base + i*stride, with stride equal to the element size.
//
// The "hot" bytes of a slot are Stamp and Value: hot = sizeof(Stamp, Value).
// All slots' hot bytes have the same offset r = (base mod pad.Size) inside a
// false-sharing range, and consecutive slots are stride bytes apart, stride a
// multiple of pad.Size. So slot i's hot bytes never reach into a range that
// holds slot i+1's hot bytes exactly when
//
//	r + hot <= stride                                              (*)
//
// The allocator usually returns memory aligned to pad.Size for these sizes
// (r = 0), but Go 1.22+ puts an 8-byte malloc header in front of
// pointer-holding objects of 512 bytes to 32 KiB, whose size classes do not
// all start on pad.Size boundaries, so (*) is checked, not assumed. newRing
// keeps stride = hot rounded up to pad.Size for every capacity and T: it
// tries the tight allocation, then a Lead field that realigns base, then an
// allocation of more than 32 KiB (a large object: page-aligned, no header)
// of which only the first n slots are used. Only if all three failed (not
// the case with Go 1.22 to 1.26) would it double the stride.
//
// In compact mode stride is only rounded to 8 bytes (so every Stamp stays
// 64-bit aligned, also on 32-bit platforms) and slots share ranges.
//
// In remap mode the slots are packed as in compact mode, but the stride is
// hot rounded up to a power of two g (at least 8) and the array is cut into
// R = 2^rshift groups of S = pad.Size/g slots, each group exactly one
// false-sharing range (base is aligned to pad.Size, see newRemapRing). R is
// the smallest power of two with R*S >= n. Index i lives in group i mod R at
// offset i div R, i.e. at physical slot
//
//	phys(i) = (i & (R-1))*S + i>>rshift
//
// (SCQ's cache remap). For i < n, i>>rshift < S, so phys is injective and
// inside the array; indices i and i+1 (i+1 < n) are in different groups,
// hence different ranges, whenever R >= 2, i.e. n > S. Only the wrap from
// index n-1 to index 0 can share a group, when R divides n-1. If g would be
// pad.Size or more (S = 1), remap mode is padded mode.
//
// Padded and compact mode use the same formula with rmask = all ones,
// gshift = 0 and rshift = 63 (positions' indices are below 2^61), so
// phys(i) = i and slot access has no branch.
type ring struct {
	base   unsafe.Pointer // element 0's Stamp; an interior pointer keeps the array alive
	stride uintptr        // bytes between consecutive physical slots
	valOff uintptr        // offset of Value from Stamp
	rmask  uint64         // R-1 (remap), or all ones
	gshift uint64         // log2(S) (remap), or 0
	rshift uint64         // log2(R) (remap), or 63
	layout Layout         // the layout built
}

// phys returns the physical slot of index i.
func (r *ring) phys(i uint64) uint64 {
	return (i&r.rmask)<<(r.gshift&63) | i>>(r.rshift&63)
}

// Layout names how a Queue lays out its slots; Queue.Layout reports it.
// The options Padded, Compact and Remap choose one, and the package
// documentation says what each costs and when each pays.
type Layout uint8

const (
	LayoutPadded  Layout = iota // every slot on a false-sharing range of its own
	LayoutCompact               // slots back to back, in position order
	LayoutRemap                 // slots packed, consecutive positions in different ranges
	layoutDefault               // New's choice: defaultLayout
)

// String returns "padded", "compact" or "remap".
func (l Layout) String() string {
	switch l {
	case LayoutPadded:
		return "padded"
	case LayoutCompact:
		return "compact"
	case LayoutRemap:
		return "remap"
	}
	return fmt.Sprintf("Layout(%d)", uint8(l))
}

// defaultLayout is the layout New uses for T when no option chooses one:
// Compact when at least two slots (stamp and T) fit in a false-sharing
// range, Padded otherwise. A Compact slot larger than half a range still
// shares the range (and a cache line) with a neighbour, but a side that
// trails the other no longer takes a second slot along with each transfer,
// so packing would buy memory only, at the price of contention.
func defaultLayout(t reflect.Type) Layout {
	if hotSize(t) <= pad.Size/2 {
		return LayoutCompact
	}
	return LayoutPadded
}

// slotType builds the element type. lead+hot must not exceed stride.
func slotType(t reflect.Type, lead, stride uintptr) (reflect.Type, uintptr, uintptr) {
	var fields []reflect.StructField
	if lead > 0 {
		fields = append(fields, reflect.StructField{Name: "Lead", Type: reflect.ArrayOf(int(lead), reflect.TypeFor[byte]())})
	}
	fields = append(fields,
		reflect.StructField{Name: "Stamp", Type: reflect.TypeFor[uint64]()},
		reflect.StructField{Name: "Value", Type: t},
	)
	bare := reflect.StructOf(fields)
	v := bare.Field(len(fields) - 1)
	if end := v.Offset + v.Type.Size(); end < stride {
		fields = append(fields, reflect.StructField{Name: "Pad", Type: reflect.ArrayOf(int(stride-end), reflect.TypeFor[byte]())})
	}
	st := reflect.StructOf(fields)
	stampField, _ := st.FieldByName("Stamp")
	valueField, _ := st.FieldByName("Value")
	return st, stampField.Offset, valueField.Offset - stampField.Offset
}

func mulOK(a, b int) bool {
	_, ok := pad.MulSize(a, b)
	return ok
}

// hotSize is sizeof(struct{ Stamp uint64; Value T }), the bytes a slot uses.
func hotSize(t reflect.Type) uintptr {
	return reflect.StructOf([]reflect.StructField{
		{Name: "Stamp", Type: reflect.TypeFor[uint64]()},
		{Name: "Value", Type: t},
	}).Size()
}

// strideFor returns the tight stride for t, or ok == false on overflow.
func strideFor(t reflect.Type, compact bool) (uintptr, bool) {
	hot := hotSize(t)
	if hot > uintptr(maxInt) {
		return 0, false
	}
	if compact {
		s, ok := pad.RoundUp(int(hot), 8)
		return uintptr(s), ok
	}
	s, ok := pad.RoundUp(int(hot), pad.Size)
	return uintptr(s), ok
}

const maxInt = int(^uint(0) >> 1)

// newRing builds the slot array of n slots of t in layout lay; the ring's
// layout field says what it built (Remap falls back to Padded for large t).
func newRing(t reflect.Type, n int, lay Layout) ring {
	if lay == LayoutRemap {
		if r, ok := newRemapRing(t, n); ok {
			r.layout = LayoutRemap
			return r
		}
		lay = LayoutPadded
	}
	r := newLinearRing(t, n, lay == LayoutCompact)
	r.rmask, r.gshift, r.rshift = ^uint64(0), 0, 63
	r.layout = lay
	return r
}

// remapStride returns the remap slot size g for t: hot rounded up to a power
// of two, at least 8. ok is false when g >= pad.Size (remap is then padded).
func remapStride(t reflect.Type) (g uintptr, ok bool) {
	hot := hotSize(t)
	g = 8
	for g < hot && g < pad.Size {
		g *= 2
	}
	return g, g < pad.Size && hot <= g
}

// newRemapRing builds the remap layout described at ring, or returns false
// if T's slots are too large for it (see remapStride). The array is one
// struct { Lead [lead]byte; Slots [R*S]slot } so that a Lead field can align
// Slots to pad.Size; the garbage collector sees real slot elements.
func newRemapRing(t reflect.Type, n int) (ring, bool) {
	g, ok := remapStride(t)
	if !ok {
		return ring{}, false
	}
	spr := uint64(pad.Size / g)
	gshift := uint64(bits.TrailingZeros64(spr))
	groups := (uint64(n) + spr - 1) / spr
	rshift := uint64(0)
	for uint64(1)<<rshift < groups {
		rshift++
	}
	if rshift+gshift >= 62 {
		panic(fmt.Sprintf("lfqueue: New: capacity %d: slot memory overflows int", n))
	}
	count := (uint64(1) << rshift) * spr
	if count > uint64(maxInt) || !mulOK(int(count), int(g)) || !mulOK(int(count), int(g)+pad.Size) {
		panic(fmt.Sprintf("lfqueue: New: capacity %d: slot memory overflows int", n))
	}
	elem, stampOff, valOff := slotType(t, 0, g)
	if elem.Size() != g {
		panic(fmt.Sprintf("lfqueue: internal error: slot size %d, want stride %d", elem.Size(), g))
	}
	alloc := func(lead uintptr, count uint64) (ring, uintptr) {
		var fields []reflect.StructField
		if lead > 0 {
			fields = append(fields, reflect.StructField{Name: "Lead", Type: reflect.ArrayOf(int(lead), reflect.TypeFor[byte]())})
		}
		fields = append(fields, reflect.StructField{Name: "Slots", Type: reflect.ArrayOf(int(count), elem)})
		st := reflect.StructOf(fields)
		slots, _ := st.FieldByName("Slots")
		p := reflect.New(st).UnsafePointer()
		base := unsafe.Add(p, slots.Offset+stampOff)
		return ring{base: base, stride: g, valOff: valOff,
			rmask: uint64(1)<<rshift - 1, gshift: gshift, rshift: rshift}, uintptr(base) % pad.Size
	}
	r, off := alloc(0, count)
	if off == 0 {
		return r, true
	}
	if r, off = alloc(pad.Size-off, count); off == 0 {
		return r, true
	}
	// A large object (over 32 KiB) starts on a page of its own.
	if m := uint64(largeObject/g) + 1; m > count {
		if r, off = alloc(0, m); off == 0 {
			return r, true
		}
	}
	// Not reached with Go 1.22 to 1.26's allocator; a future allocator
	// that defeats all three gets the padded layout, which is always
	// correct.
	return ring{}, false
}

func newLinearRing(t reflect.Type, n int, compact bool) ring {
	hot := hotSize(t)
	stride, ok := strideFor(t, compact)
	if !ok {
		panic(fmt.Sprintf("lfqueue: New: capacity %d: slot memory overflows int", n))
	}
	if _, ok := pad.MulSize(n, int(stride)); !ok {
		panic(fmt.Sprintf("lfqueue: New: capacity %d: slot memory overflows int", n))
	}
	alloc := func(lead, stride uintptr, count int) (ring, uintptr) {
		typ, stampOff, valOff := slotType(t, lead, stride)
		if typ.Size() != stride {
			panic(fmt.Sprintf("lfqueue: internal error: slot size %d, want stride %d", typ.Size(), stride))
		}
		s := reflect.MakeSlice(reflect.SliceOf(typ), count, count)
		base := unsafe.Add(s.UnsafePointer(), stampOff)
		return ring{base: base, stride: stride, valOff: valOff}, uintptr(base) % pad.Size
	}
	if compact {
		r, _ := alloc(0, stride, n)
		return r
	}
	// Invariant (*) above: off + hot <= stride. First the tight stride.
	r, off := alloc(0, stride, n)
	if off+hot <= stride {
		return r
	}
	// A Lead field that realigns base within the same stride.
	if lead := (pad.Size - off) % pad.Size; lead+hot <= stride {
		r, off = alloc(lead, stride, n)
		if off+hot <= stride {
			return r
		}
	}
	// Over-allocate: an array above largeObject bytes is a large object,
	// which the runtime places at the start of its own pages with no header
	// in front, so base is aligned. Only the first n elements are used.
	if m := int(largeObject/stride) + 1; m > n {
		r, off = alloc(0, stride, m)
		if off+hot <= stride {
			return r
		}
	}
	// Not reached with Go 1.22 to 1.26's allocator; kept so that a future
	// allocator cannot break (*): a spare range satisfies it for any 8-byte
	// aligned base, at twice the memory.
	s3, ok := pad.RoundUp(int(hot)+pad.Size-8, pad.Size)
	if !ok || !mulOK(n, s3) {
		panic(fmt.Sprintf("lfqueue: New: capacity %d: slot memory overflows int", n))
	}
	r, off = alloc(0, uintptr(s3), n)
	if off+hot > r.stride {
		panic("lfqueue: internal error: allocation not 8-byte aligned")
	}
	return r
}

// largeObject is the runtime's largest small-object size (maxSmallSize,
// 32 KiB): larger objects get pages of their own.
const largeObject = 32 << 10

// runLength is how many consecutive positions share a false-sharing range in
// the layout: for Compact the largest power of two of slots that fits in a
// range (8 for int on amd64), else 1 (Padded and Remap put consecutive
// positions in different ranges).
func runLength(r ring) uint64 {
	if r.layout != LayoutCompact || r.stride > pad.Size {
		return 1
	}
	return uint64(1) << (bits.Len64(uint64(pad.Size/r.stride)) - 1)
}
