package web

import "sort"

func sortStrings(s []string) { sort.Strings(s) }

func pageSize() int { return syscallPagesize() }
