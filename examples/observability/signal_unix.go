//go:build unix

package main

import (
	"os"
	"syscall"
)

// dumpSignal is the signal that makes the service print its fiber dump.
func dumpSignal() os.Signal { return syscall.SIGUSR1 }
