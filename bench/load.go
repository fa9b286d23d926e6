package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

// loadResult is one load run against one URL.
type loadResult struct {
	n        int
	errs     int
	elapsed  time.Duration
	lat      []time.Duration // every request's latency
	firstErr error
}

func (r loadResult) perSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.n) / r.elapsed.Seconds()
}

func (r loadResult) percentile(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	s := slices.Clone(r.lat)
	slices.Sort(s)
	i := int(p * float64(len(s)-1))
	return s[i]
}

func (r loadResult) add(o loadResult) loadResult {
	r.n += o.n
	r.errs += o.errs
	r.elapsed += o.elapsed
	r.lat = append(r.lat, o.lat...)
	if r.firstErr == nil {
		r.firstErr = o.firstErr
	}
	return r
}

// newClient is a keep-alive client for conc concurrent requests.
func newClient(conc int) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConnsPerHost: conc * 2,
			DisableCompression:  true,
			DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		},
	}
}

// load sends GET url from conc workers, each waiting for its answer before
// the next, until dur has passed or max requests were sent. A request whose
// status is not want counts as an error.
func load(ctx context.Context, client *http.Client, url string, hdr http.Header, want, conc int, dur time.Duration, max int) loadResult {
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	var (
		mu     sync.Mutex
		total  loadResult
		wg     sync.WaitGroup
		budget = make(chan struct{}, max)
	)
	for range max {
		budget <- struct{}{}
	}
	close(budget)
	start := time.Now()
	for range conc {
		wg.Go(func() {
			var mine loadResult
			mine.lat = make([]time.Duration, 0, 4096)
			for range budget {
				if ctx.Err() != nil {
					break
				}
				req, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodGet, url, nil)
				for k, v := range hdr {
					req.Header[k] = v
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if err == nil && res.StatusCode != want {
						err = fmt.Errorf("GET %s: status %d, want %d", url, res.StatusCode, want)
					}
				}
				mine.lat = append(mine.lat, time.Since(t0))
				mine.n++
				if err != nil {
					mine.errs++
					if mine.firstErr == nil {
						mine.firstErr = err
					}
				}
			}
			mu.Lock()
			total = total.add(mine)
			mu.Unlock()
		})
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}

// noopRoute is one answer of the no-op server: the bytes and headers the
// kiosk answered with, replayed.
type noopRoute struct {
	Path   string      `json:"path"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
	ETag   string      `json:"etag"` // if set, a matching If-None-Match gets a 304
}

// serveNoop is the child process's main: it serves the routes in the spec
// file with a plain net/http handler that does nothing but copy bytes.
func serveNoop(specFile, addr string) error {
	b, err := os.ReadFile(specFile)
	if err != nil {
		return err
	}
	var routes []noopRoute
	if err := json.Unmarshal(b, &routes); err != nil {
		return err
	}
	byPath := map[string]noopRoute{}
	for _, r := range routes {
		byPath[r.Path] = r
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r, ok := byPath[req.URL.Path]
		if !ok {
			http.NotFound(w, req)
			return
		}
		for k, v := range r.Header {
			w.Header()[k] = v
		}
		if r.ETag != "" && req.Header.Get("If-None-Match") == r.ETag {
			w.Header().Del("Content-Type")
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(r.Body)
	})
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	err = srv.ListenAndServe()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
