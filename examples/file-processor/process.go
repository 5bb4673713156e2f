package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/gogoscope/gogoscope/eff"
)

// ErrTooLarge is the failure of a file above the size limit.
var ErrTooLarge = errors.New("file-processor: too large")

// Stats is what processing one file found.
type Stats struct {
	Path   string // relative to the root
	Bytes  int64
	Lines  int
	Binary bool     // holds a NUL byte: counted, not read as text
	Sum    [32]byte // SHA-256 of the content
	Err    error    // why the file could not be processed
}

// walk returns the regular files under root, in lexical order, as an
// iterator that stops walking as soon as its consumer stops: a stream made
// of it reads the tree lazily, as far as it is pulled.
func walk(root string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if !yield(path, err) {
					return filepath.SkipAll
				}
				return nil
			}
			if d.Type().IsRegular() && !yield(path, nil) {
				return filepath.SkipAll
			}
			return nil
		})
	}
}

// Processor reads files and counts what it is doing.
type Processor struct {
	Root    string
	MaxSize int64

	inFlight, maxInFlight atomic.Int64
}

// Process returns an effect that reads the file at path and succeeds with
// its Stats. A file that cannot be processed is not a failure of the
// effect: its Stats carries the error, so one bad file does not stop the
// tree. Reading checks ctx between chunks, so an interruption stops a large
// file at once, and the file is closed however the read ends.
func (p *Processor) Process(path string) eff.Effect[Stats] {
	return eff.Try(func(ctx context.Context) (Stats, error) {
		n := p.inFlight.Add(1)
		defer p.inFlight.Add(-1)
		for m := p.maxInFlight.Load(); n > m && !p.maxInFlight.CompareAndSwap(m, n); m = p.maxInFlight.Load() {
		}
		rel, err := filepath.Rel(p.Root, path)
		if err != nil {
			rel = path
		}
		st := Stats{Path: filepath.ToSlash(rel)}
		st.Err = p.read(ctx, path, &st)
		if st.Err != nil && ctx.Err() != nil {
			return st, st.Err // interrupted: the effect ends as interrupted
		}
		return st, nil
	})
}

func (p *Processor) read(ctx context.Context, path string, st *Stats) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if info.Size() > p.MaxSize {
		return fmt.Errorf("%w (%d bytes, the limit is %d)", ErrTooLarge, info.Size(), p.MaxSize)
	}
	h := sha256.New()
	buf := make([]byte, 32<<10)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := f.Read(buf)
		chunk := buf[:n]
		h.Write(chunk)
		st.Bytes += int64(n)
		st.Lines += bytes.Count(chunk, []byte{'\n'})
		st.Binary = st.Binary || bytes.IndexByte(chunk, 0) >= 0
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	copy(st.Sum[:], h.Sum(nil))
	return nil
}

// MaxInFlight returns the most files read at once so far.
func (p *Processor) MaxInFlight() int { return int(p.maxInFlight.Load()) }
