package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// writeSampleTree writes the sample tree under root: text files of several
// kinds in nested directories, a few binary files and one file above the
// default size limit. Its content comes from a seeded generator, so every
// run processes the same bytes.
func writeSampleTree(root string) error {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"scope", "fiber", "effect", "stream", "retry", "timeout", "race", "layer", "queue", "finalizer"}
	text := func(lines int) []byte {
		var b strings.Builder
		for range lines {
			for j := range 3 + r.IntN(8) {
				if j > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(words[r.IntN(len(words))])
			}
			b.WriteByte('\n')
		}
		return []byte(b.String())
	}
	write := func(rel string, data []byte) error {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}
	dirs := []string{"cmd/server", "internal/billing", "internal/billing/ledger", "docs", "docs/guides", "web/static"}
	exts := []string{".go", ".md", ".txt", ".json"}
	for i := range 96 {
		dir := dirs[i%len(dirs)]
		ext := exts[(i/len(dirs))%len(exts)]
		if err := write(fmt.Sprintf("%s/file%03d%s", dir, i, ext), text(5+r.IntN(200))); err != nil {
			return err
		}
	}
	for i := range 3 {
		bin := make([]byte, 4096)
		for j := range bin {
			bin[j] = byte(r.IntN(256))
		}
		bin[0] = 0
		if err := write(fmt.Sprintf("web/static/image%d.png", i), bin); err != nil {
			return err
		}
	}
	if err := write("web/static/bundle.js.map", text(40_000)); err != nil { // above 1 MiB
		return err
	}
	return write("README", text(12))
}
