package atomicx

import (
	"unsafe"

	"github.com/lfkit/lfkit/internal/pad"
)

const padSize = pad.Size

func uintptrOf[P any](p *P) uintptr { return uintptr(unsafe.Pointer(p)) }
