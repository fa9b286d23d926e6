package web

import "syscall"

func syscallPagesize() int { return syscall.Getpagesize() }
