package atomicx

// noCopy makes go vet's copylocks check report copies of the struct that
// embeds it, as sync/atomic's types do. See https://golang.org/issues/8005.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
