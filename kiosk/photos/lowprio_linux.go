package photos

import "syscall"

// lowerThreadPriority nices the calling OS thread (Linux priorities are
// per thread), so resizing yields the CPU to the server and the browser.
// Failure only costs politeness.
func lowerThreadPriority() {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 10)
}
