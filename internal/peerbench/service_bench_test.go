package peerbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/lfkit/lfkit/internal/regime"
)

// The service benchmark (issue 17): the ingestion service lfqueue exists
// for, with a real net/http server (httptest, loopback) in the same
// process. serviceClients keep-alive client goroutines POST a small JSON
// event; the handler decodes it, stamps it and TryPushes it, answering 202
// when accepted and 503 when the queue is full; serviceWorkers workers wait
// in PopCtx (the queue's Pop(ctx) or its equivalent) and do serviceWork
// multiply-adds per event.
//
// Reported beside ns/op (wall time per request): "req/s" (accepted requests
// per wall second), "p50-ns" and "p99-ns" (push→pop: from the handler's
// push to the worker's pop), "cpu-ns/req" (process CPU time per accepted
// request; the clients run in the same process, alike for every
// implementation), "503/op" (503s per request), and the regime probe's
// metrics.
//
//	go test -run '^$' -bench '^BenchmarkService$' -cpu 1,2,4 -benchtime 1s .
const (
	serviceClients = 16
	serviceWorkers = 4
	serviceWork    = 300 // multiply-adds per event, in the worker: light work
)

// serviceEvent is the body a client posts, and what the handler pushes,
// with Stamp set at the push (nanotime).
type serviceEvent struct {
	ID    uint64  `json:"id"`
	Kind  string  `json:"kind"`
	Value float64 `json:"value"`
	Stamp int64   `json:"-"`
}

func BenchmarkService(b *testing.B) {
	for _, im := range loadImpls[serviceEvent]() {
		b.Run("impl="+im.name, func(b *testing.B) {
			q, ok := im.make().(CtxQueue[serviceEvent])
			if !ok {
				b.Fatalf("%s has no PopCtx", im.name)
			}
			service(b, q)
		})
	}
}

// service runs the service benchmark on q: b.N requests in all, split among
// the clients in shares fixed in advance. Every count is kept per client or
// per worker. At the end the clients are done (so every accepted event was
// pushed before its 202 was sent), the server is closed, the workers'
// context is cancelled, and each worker drains what is left with TryPop;
// then every accepted event must have been popped exactly once.
func service(b *testing.B, q CtxQueue[serviceEvent]) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e serviceEvent
		if err := json.NewDecoder(r.Body).Decode(&e); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		e.Stamp = nanotime()
		if q.TryPush(e) {
			w.WriteHeader(http.StatusAccepted)
		} else {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	srv.Start()
	tr := &http.Transport{MaxIdleConns: serviceClients, MaxIdleConnsPerHost: serviceClients}
	client := &http.Client{Transport: tr}
	defer func() {
		tr.CloseIdleConnections()
		srv.Close() // idempotent
	}()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hists := make([]latHist, serviceWorkers)
	popped := make([]int, serviceWorkers)
	accepted := make([]int, serviceClients)
	rejected := make([]int, serviceClients)
	errs := make([]error, serviceClients)
	var workers, clients sync.WaitGroup
	b.ReportAllocs()
	s := regime.Begin()
	start := time.Now()
	b.ResetTimer()
	for w := range serviceWorkers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			h := &hists[w]
			var x uint64
			got := func(e serviceEvent) {
				h.add(time.Duration(nanotime() - e.Stamp))
				x = spinWork(x+e.ID, serviceWork)
				popped[w]++
			}
			for {
				e, err := q.PopCtx(ctx)
				if err != nil {
					break
				}
				got(e)
			}
			for {
				e, ok := q.TryPop()
				if !ok {
					break
				}
				got(e)
			}
			workSink.Add(x)
		}()
	}
	for c := range serviceClients {
		clients.Add(1)
		go func() {
			defer clients.Done()
			errs[c] = serviceClient(client, srv.URL, c, partOf(b.N, c, serviceClients), &accepted[c], &rejected[c])
		}()
	}
	clients.Wait()
	tr.CloseIdleConnections()
	srv.Close() // waits for every handler to return
	cancel()
	workers.Wait()
	b.StopTimer()
	wall := time.Since(start)
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	acc, rej, pop := 0, 0, 0
	for c := range serviceClients {
		acc += accepted[c]
		rej += rejected[c]
	}
	for _, n := range popped {
		pop += n
	}
	if pop != acc {
		b.Fatalf("%d requests accepted, %d events popped", acc, pop)
	}
	loadReport(b, s, wall, hists, acc, rej, "req/s", "cpu-ns/req", "503/op")
}

// serviceClient posts n events to url over client's keep-alive
// connections, counting 202s in *accepted and 503s in *rejected; any other
// answer is an error.
func serviceClient(client *http.Client, url string, c, n int, accepted, rejected *int) error {
	body := make([]byte, 0, 64)
	for i := range n {
		body = fmt.Appendf(body[:0], `{"id":%d,"kind":"click","value":%d.5}`, c<<32|i, i%100)
		resp, err := client.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		switch resp.StatusCode {
		case http.StatusAccepted:
			*accepted++
		case http.StatusServiceUnavailable:
			*rejected++
		default:
			return fmt.Errorf("client %d: %s", c, resp.Status)
		}
	}
	return nil
}
