package effect

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// Sleep returns an effect that waits for d and then succeeds. The wait is
// interruptible; a d of zero or less does not wait and arms no timer. Time
// comes from the time package, so inside a testing/synctest bubble the wait
// is virtual.
func Sleep[R, E any](d time.Duration) Effect[R, E, struct{}] {
	return prim(func(f *fiber, _ R) Effect[R, E, struct{}] {
		if d <= 0 {
			return Unit[R, E]()
		}
		t := time.NewTimer(d)
		intr := f.beginWait(waitInfo{what: "sleep", d: d})
		select {
		case <-t.C:
			f.endWait()
			return Unit[R, E]()
		case <-intr:
			t.Stop()
			f.endWait()
			return interrupted[R, E, struct{}](f)
		}
	})
}

// Never returns an effect that never ends on its own: it waits until the
// fiber is interrupted. In an uninterruptible region it waits forever.
func Never[R, E, A any]() Effect[R, E, A] {
	return prim(func(f *fiber, _ R) Effect[R, E, A] {
		intr := f.beginWait(waitInfo{what: "never"})
		<-intr
		f.endWait()
		return interrupted[R, E, A](f)
	})
}

// Yield returns an effect that lets other goroutines run
// ([runtime.Gosched]) and then succeeds.
func Yield[R, E any]() Effect[R, E, struct{}] {
	return prim(func(*fiber, R) Effect[R, E, struct{}] {
		runtime.Gosched()
		return Unit[R, E]()
	})
}

// Async returns an effect that calls register with a resume callback and
// waits until resume is called; it then ends as the exit given to resume.
// register runs on the fiber and must not block; resume may be called from
// any goroutine, once (later calls are ignored). register returns a cancel
// function (or nil): if the fiber is interrupted while waiting, cancel is
// called and the effect ends as interrupted without waiting for resume —
// unless resume was already called, in which case its exit is kept (and the
// interruption takes effect at the fiber's next step), so a value handed over
// as the interruption arrived is never lost.
func Async[R, E, A any](register func(resume func(Exit[E, A])) (cancel func())) Effect[R, E, A] {
	if register == nil {
		panic("effect.Async: register must not be nil")
	}
	return asyncOn[R](waitInfo{what: "async"}, register)
}

// asyncOn is Async showing w as what the fiber waits for (see AsyncOn).
func asyncOn[R, E, A any](w waitInfo, register func(resume func(Exit[E, A])) (cancel func())) Effect[R, E, A] {
	return prim(func(f *fiber, _ R) Effect[R, E, A] {
		ch := make(chan Exit[E, A], 1)
		var once atomic.Bool
		cancel := register(func(ex Exit[E, A]) {
			if once.CompareAndSwap(false, true) {
				ch <- ex
			}
		})
		select {
		case ex := <-ch:
			return FromExit[R](ex)
		default:
		}
		intr := f.beginWait(w)
		select {
		case ex := <-ch:
			f.endWait()
			return FromExit[R](ex)
		case <-intr:
			f.endWait()
			select {
			case ex := <-ch:
				// resume came first or at the same time: the result is
				// kept, and the interruption takes effect at the next step.
				return FromExit[R](ex)
			default:
			}
			if cancel != nil {
				cancel()
			}
			return interrupted[R, E, A](f)
		}
	})
}

// Try returns an effect that calls fn, plain Go code, with a context, and
// succeeds with its value or fails with its error. The context carries the
// values of the context given to [Run] and the deadline of an enclosing
// [Timeout]; it is cancelled when the fiber is interrupted, with an
// [*InterruptedError] as its cause ([context.Cause]), so fn can stop early.
//
// The context's lifetime: in ordinary code it is cancelled when fn returns,
// so nothing fn started with it outlives the call (as with
// errgroup.WithContext). Inside the acquire or release step of
// [AcquireRelease] (and of the resources built on it: layers, pools) it is
// the resource's context instead, which lives until the release has run, so
// a transaction or a streamed body fn opens stays usable. In any other
// uninterruptible region (a finalizer) it is never cancelled, so cleanup
// code can finish its work.
//
// If fn fails after the fiber was interrupted, the effect ends as
// interrupted (the error is most likely the cancelled context); if fn
// succeeds, its value is kept and the interruption takes effect at the
// fiber's next step, so a value received as the interruption arrived is not
// lost. A panic in fn is a defect. It panics if fn is nil.
func Try[R, A any](fn func(ctx context.Context) (A, error)) Effect[R, error, A] {
	if fn == nil {
		panic("effect.Try: fn must not be nil")
	}
	return prim(func(f *fiber, _ R) Effect[R, error, A] {
		parent := f.tagged(f.ctx) // observe: the fiber is known to plain Go (FiberOf)
		if rc := f.locals.resource; rc != nil {
			parent = rc
			if !f.locals.interruptible {
				return FromResult[R](fn(rc))
			}
		} else if !f.locals.interruptible {
			return FromResult[R](fn(context.WithoutCancel(parent)))
		}
		ctx, cancel := context.WithCancelCause(parent)
		defer cancel(nil)
		if !f.setCancel(func() { cancel(f.interruptErr()) }) {
			cancel(f.interruptErr())
		}
		defer f.clearCancel()
		a, err := fn(ctx)
		if err != nil && f.intr.Load() {
			// Most likely the error is the cancelled context: report the
			// interruption, not a failure.
			return interrupted[R, error, A](f)
		}
		return FromResult[R](a, err)
	})
}
