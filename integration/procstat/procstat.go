// Package procstat reads a process's CPU use from /proc, for the side-by-side benchmarks that
// price a server or an engine by the CPU it burns rather than by wall time alone.
package procstat

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// userHZ is the unit of /proc/PID/stat times; Linux fixes it at 100 for user space.
const userHZ = 100

// CPUSeconds is the user+system CPU a process and its reaped children have used: children count
// because runtime shims reap runc and exec'd commands, and dnsmasq forks per TCP connection.
func CPUSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("cpu of pid %d: %w", pid, err)
	}
	// The command name may hold spaces; after its ')' field 3 (state) starts, utime is field 14.
	end := strings.LastIndexByte(string(b), ')')
	if end < 0 || end+2 > len(b) {
		return 0, fmt.Errorf("cpu of pid %d: malformed stat", pid)
	}
	f := strings.Fields(string(b[end+2:]))
	if len(f) < 15 {
		return 0, fmt.Errorf("cpu of pid %d: short stat", pid)
	}
	var ticks float64
	for _, i := range []int{11, 12, 13, 14} { // utime stime cutime cstime
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return 0, fmt.Errorf("cpu of pid %d: %w", pid, err)
		}
		ticks += v
	}
	return ticks / userHZ, nil
}
