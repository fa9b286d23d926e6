package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ, the unit of utime and stime in /proc/<pid>/stat:
// 100 on every Linux architecture Go targets (sysconf would need cgo).
const clockTick = 100

// statusKB reads a "Name:   123 kB" line of /proc/<pid>/status.
func statusKB(pid int, name string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			fields := strings.Fields(v)
			if len(fields) == 0 {
				break
			}
			return strconv.ParseInt(fields[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no %s", pid, name)
}

// rss is the resident set size in bytes.
func rss(pid int) int64 {
	kb, _ := statusKB(pid, "VmRSS")
	return kb << 10
}

// peakRSS is the high-water mark of the resident set in bytes.
func peakRSS(pid int) int64 {
	kb, _ := statusKB(pid, "VmHWM")
	return kb << 10
}

// writeBytes is what the process caused to be written to storage
// (/proc/<pid>/io write_bytes): its write(2)s and the pages it dirtied
// through mmap, as the block layer will see them. Rewriting a page that is
// still dirty counts once, as it costs the card once.
func writeBytes(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "write_bytes:"); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/io: no write_bytes", pid)
}

// procStat is what the bench reads of /proc/<pid>/stat.
type procStat struct {
	ppid     int
	cpu      time.Duration // utime + stime
	children time.Duration // cutime + cstime: the children it has reaped
}

func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	// The command name is in parentheses and may hold spaces: skip past it.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); ppid is field 4, utime, stime, cutime and
	// cstime are fields 14 to 17.
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	var n [5]int64
	for j, k := range []int{1, 11, 12, 13, 14} {
		if n[j], err = strconv.ParseInt(f[k], 10, 64); err != nil {
			return procStat{}, fmt.Errorf("/proc/%d/stat: field %d: %w", pid, k+3, err)
		}
	}
	tick := func(t int64) time.Duration { return time.Duration(t) * time.Second / clockTick }
	return procStat{ppid: int(n[0]), cpu: tick(n[1] + n[2]), children: tick(n[3] + n[4])}, nil
}

// cpuTime is the process's user plus system time.
func cpuTime(pid int) (time.Duration, error) {
	st, err := readStat(pid)
	return st.cpu, err
}

// tree is root and every process descended from it that still runs.
func tree(root int) ([]int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	kids := map[int][]int{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, err := readStat(pid); err == nil {
			kids[st.ppid] = append(kids[st.ppid], pid)
		}
	}
	out := []int{root}
	for i := 0; i < len(out); i++ {
		out = append(out, kids[out[i]]...)
	}
	return out, nil
}

// memory is what /proc/<pid>/smaps_rollup says of a process, in bytes.
// PSS counts its private pages plus its share of the pages it shares, so
// summing it over processes counts each page once; but a page shared with
// a process outside the sum counts only in part. USS (its private pages)
// does not depend on other processes.
type memory struct{ pss, uss int64 }

func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	found := false
	for _, line := range strings.Split(string(b), "\n") {
		name, v, ok := strings.Cut(line, ":")
		fields := strings.Fields(v)
		if !ok || len(fields) == 0 {
			continue
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "Pss":
			m.pss, found = kb<<10, true
		case "Private_Clean", "Private_Dirty":
			m.uss += kb << 10
		}
	}
	if !found {
		return m, fmt.Errorf("/proc/%d/smaps_rollup: no Pss", pid)
	}
	return m, nil
}

// residentPages adds the page frames that pid has resident to seen. The
// frame numbers need root (CAP_SYS_ADMIN); without it they read as 0 and
// nothing is added.
func residentPages(pid int, seen map[uint64]struct{}) error {
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return err
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/pagemap", pid))
	if err != nil {
		return err
	}
	defer f.Close()
	page := uint64(os.Getpagesize())
	buf := make([]byte, 8*4096)
	for _, line := range strings.Split(string(maps), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || strings.HasPrefix(fields[1], "---") { // reserved, never resident
			continue
		}
		lo, hi, _ := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		// One 64-bit entry per page: bit 63 present, bits 0-54 the frame.
		for addr := start; addr < end; {
			n := min((end-addr)/page, uint64(len(buf)/8))
			b := buf[:n*8]
			if _, err := f.ReadAt(b, int64(addr/page*8)); err != nil {
				break // [vsyscall] and the like
			}
			for i := range n {
				e := binary.LittleEndian.Uint64(b[i*8:])
				if pfn := e & (1<<55 - 1); e>>63 == 1 && pfn != 0 {
					seen[pfn] = struct{}{}
				}
			}
			addr += n * page
		}
	}
	return nil
}

// sameExe counts the processes outside pids that run root's executable.
func sameExe(root int, pids []int) int {
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", root))
	if err != nil {
		return 0
	}
	ents, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || slices.Contains(pids, pid) {
			continue
		}
		if x, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); x == exe {
			n++
		}
	}
	return n
}

// chromiumType is a Chromium process's --type (renderer, gpu-process,
// utility, zygote), "webui" for a renderer of the browser's own interface,
// or "browser" for the main process. Chromium rewrites the command line of
// its children into one string, so arguments may be split by spaces.
func chromiumType(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return processType(string(b))
}

// processType reads the type from a /proc/<pid>/cmdline.
func processType(cmdline string) string {
	args := strings.FieldsFunc(cmdline, func(r rune) bool { return r == 0 || r == ' ' })
	typ := "browser"
	for _, arg := range args {
		if t, ok := strings.CutPrefix(arg, "--type="); ok {
			typ = t
		}
	}
	if typ == "renderer" && slices.Contains(args, "--top-chrome-webui") {
		return "webui"
	}
	return typ
}
