//go:build !unix

package main

import "os"

// dumpSignal is nil where there is no SIGUSR1: use /debug/fibers.
func dumpSignal() os.Signal { return nil }
