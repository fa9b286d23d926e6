//go:build !linux

package photos

// lowerThreadPriority does nothing where priorities are not per thread.
func lowerThreadPriority() {}
