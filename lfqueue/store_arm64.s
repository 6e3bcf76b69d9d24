//go:build !race

#include "textflag.h"

// func storeRelease64(addr *uint64, v uint64)
// STLR: a store-release; earlier loads and stores complete before it.
TEXT ·storeRelease64(SB), NOSPLIT, $0-16
	MOVD addr+0(FP), R0
	MOVD v+8(FP), R1
	STLR R1, (R0)
	RET

// func cpuRelax()
TEXT ·cpuRelax(SB), NOSPLIT, $0-0
	YIELD
	RET
