package effect

// Option is a value that may be absent: the result of [TimeoutOption] and of
// other effects that may end with nothing. The interop package converts it
// to and from samber/mo's Option.
type Option[A any] struct {
	Value A
	OK    bool
}

// Some returns an Option holding a.
func Some[A any](a A) Option[A] { return Option[A]{Value: a, OK: true} }

// None returns an empty Option.
func None[A any]() Option[A] { return Option[A]{} }

// Get returns the value and whether it is present.
func (o Option[A]) Get() (A, bool) { return o.Value, o.OK }
