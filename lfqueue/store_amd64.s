//go:build !race

#include "textflag.h"

// func storeRelease64(addr *uint64, v uint64)
// A plain 64-bit MOV: under x86-TSO a store is never reordered with earlier
// loads or stores, so it is a release store.
TEXT ·storeRelease64(SB), NOSPLIT, $0-16
	MOVQ addr+0(FP), AX
	MOVQ v+8(FP), BX
	MOVQ BX, 0(AX)
	RET

// func cpuRelax()
TEXT ·cpuRelax(SB), NOSPLIT, $0-0
	PAUSE
	RET
