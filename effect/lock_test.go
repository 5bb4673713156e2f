package effect

import (
	"sync"
)

// testLock is a named mutex built on AsyncOn, as the resource package
// builds its primitives: it records its holder, so that dumps and the
// deadlock detector see who holds it.
type testLock struct {
	name    string
	mu      sync.Mutex
	held    bool
	holder  FiberID
	waiters []lockWaiter
}

type lockWaiter struct {
	id     FiberID
	resume func(Exit[error, struct{}])
	gone   *bool
}

func newTestLock(name string) *testLock { return &testLock{name: name} }

func (l *testLock) BlockerName() (string, string) { return "lock", l.name }

func (l *testLock) BlockerHolders() ([]FiberID, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.held {
		return nil, "free"
	}
	return []FiberID{l.holder}, "1/1"
}

// lock returns the effect that takes the lock, waiting in line.
func (l *testLock) lock() unit {
	return SuspendFiber(func(id FiberID) unit {
		l.mu.Lock()
		if !l.held {
			l.held, l.holder = true, id
			l.mu.Unlock()
			return Unit[any, error]()
		}
		l.mu.Unlock()
		return AsyncOn[any](l, func(resume func(Exit[error, struct{}])) func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			if !l.held {
				l.held, l.holder = true, id
				resume(Exit[error, struct{}]{})
				return nil
			}
			gone := new(bool)
			l.waiters = append(l.waiters, lockWaiter{id: id, resume: resume, gone: gone})
			return func() {
				l.mu.Lock()
				defer l.mu.Unlock()
				*gone = true
			}
		})
	})
}

// unlock returns the effect that gives the lock to the next waiter.
func (l *testLock) unlock() unit {
	return Sync[any, error](func() struct{} {
		l.mu.Lock()
		defer l.mu.Unlock()
		for len(l.waiters) > 0 {
			w := l.waiters[0]
			l.waiters = l.waiters[1:]
			if !*w.gone {
				l.holder = w.id
				w.resume(Exit[error, struct{}]{})
				return struct{}{}
			}
		}
		l.held, l.holder = false, 0
		return struct{}{}
	})
}

// with runs e holding the lock.
func (l *testLock) with(e unit) unit {
	return AndThen(l.lock(), Ensuring(e, l.unlock()))
}
