// Package good links only to what exists: [Thing], [Thing.Do],
// [Thing.Size], [*Thing], [Doer.Do], [New], [context.Context],
// [errors.Is], [strings.Builder.Len], [time.Duration.String],
// [fmt.Stringer], and [io.Reader.Read].
package good

import (
	"context"
	"io"
)

// Thing is a thing; [Thing.Do] does it and [New] makes one.
type Thing struct {
	// Size is its size; see [Thing.Do].
	Size int
}

// Do does [Thing] with ctx ([context.Context]) and r ([io.Reader]).
func (t *Thing) Do(ctx context.Context, r io.Reader) {}

// Doer does; see [Doer.Do].
type Doer interface {
	Do(ctx context.Context, r io.Reader)
}

// New returns a [Thing]; arrays such as a[i], intervals [0, 1) and text
// like [not a link] are not links, and [context] and [io/fs] are packages.
func New() *Thing { return &Thing{} }
