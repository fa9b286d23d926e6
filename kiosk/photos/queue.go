package photos

import (
	"errors"
	"image"
	"runtime"
	"slices"
	"sync"
)

// renderKey names one rendering: a photo fitted inside a box.
type renderKey struct {
	id  string
	box image.Point
}

// job is one rendering, shared by everyone who asks for the same key
// while it is queued or running.
type job struct {
	key    renderKey
	urgent bool          // a request waits for it
	done   chan struct{} // closed when data and err are set
	data   []byte
	err    error
}

// maxPrepared bounds the background (Prepare) jobs waiting in the queue;
// more are dropped, as the page only ever needs the next photo or two.
const maxPrepared = 4

var errClosed = errors.New("photos: closed")

// renderQueue runs jobs one at a time on a single goroutine, at low OS
// priority where the platform allows: the Pi has few cores and a browser to
// feed. Requests a page waits for go before prepared ones; a job for a key
// already queued or running is joined rather than repeated.
type renderQueue struct {
	run func(renderKey) ([]byte, error)

	mu       sync.Mutex
	wake     *sync.Cond
	queue    []*job // urgent jobs first, each kind in arrival order
	inflight map[renderKey]*job
	closed   bool
	done     chan struct{}
}

func newRenderQueue(run func(renderKey) ([]byte, error)) *renderQueue {
	q := &renderQueue{run: run, inflight: map[renderKey]*job{}, done: make(chan struct{})}
	q.wake = sync.NewCond(&q.mu)
	go q.loop()
	return q
}

// submit queues a job for key, or returns the one already queued or
// running, promoting it if this caller waits. It returns nil when the
// queue is closed, or for a background job when too many are waiting.
func (q *renderQueue) submit(key renderKey, urgent bool) *job {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil
	}
	if j := q.inflight[key]; j != nil {
		if urgent && !j.urgent {
			if i := slices.Index(q.queue, j); i >= 0 { // else already running
				q.queue = slices.Delete(q.queue, i, i+1)
				q.insertUrgent(j)
			}
			j.urgent = true
		}
		return j
	}
	j := &job{key: key, urgent: urgent, done: make(chan struct{})}
	if urgent {
		q.insertUrgent(j)
	} else {
		waiting := 0
		for _, o := range q.queue {
			if !o.urgent {
				waiting++
			}
		}
		if waiting >= maxPrepared {
			return nil
		}
		q.queue = append(q.queue, j)
	}
	q.inflight[key] = j
	q.wake.Signal()
	return j
}

func (q *renderQueue) insertUrgent(j *job) {
	i := 0
	for i < len(q.queue) && q.queue[i].urgent {
		i++
	}
	q.queue = slices.Insert(q.queue, i, j)
}

func (q *renderQueue) loop() {
	defer close(q.done)
	// The thread is locked so its lowered priority stays with this
	// goroutine; it exits with the goroutine.
	runtime.LockOSThread()
	lowerThreadPriority()
	for {
		q.mu.Lock()
		for len(q.queue) == 0 && !q.closed {
			q.wake.Wait()
		}
		if q.closed {
			for _, j := range q.queue {
				j.err = errClosed
				close(j.done)
			}
			q.queue = nil
			q.mu.Unlock()
			return
		}
		j := q.queue[0]
		q.queue = q.queue[1:]
		q.mu.Unlock()

		j.data, j.err = q.run(j.key)

		q.mu.Lock()
		delete(q.inflight, j.key)
		q.mu.Unlock()
		close(j.done)
	}
}

// idle reports whether nothing is queued or running.
func (q *renderQueue) idle() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.inflight) == 0
}

// close stops the loop after the running job; queued jobs fail.
func (q *renderQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.wake.Broadcast()
	q.mu.Unlock()
	<-q.done
}
