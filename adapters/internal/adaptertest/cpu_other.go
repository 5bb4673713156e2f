//go:build !unix

package adaptertest

import "time"

// CPUTime returns 0: the benchmarks report no CPU time on this system.
func CPUTime() time.Duration { return 0 }
