module github.com/lfkit/lfkit

go 1.24.0

require (
	github.com/anishathalye/porcupine v1.3.1
	github.com/google/go-cmp v0.7.0
	go.uber.org/goleak v1.3.0
	golang.org/x/exp v0.0.0-20250813145105-42675adae3e6
	pgregory.net/rapid v1.3.0
)
