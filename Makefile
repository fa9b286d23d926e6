# kiosk build targets. `make pi` cross-builds the Raspberry Pi binaries.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
GOBUILD := CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)"

.PHONY: build run test pi vm-test bench bench-go ci clean screenshots

build:
	$(GOBUILD) -o bin/kiosk ./cmd/kiosk

run:
	go run ./cmd/kiosk

test:
	go test -race ./...

# Pi 3/4/5 and Zero 2 W on 64-bit Raspberry Pi OS; 32-bit OS on ARMv7 and ARMv6.
pi:
	GOOS=linux GOARCH=arm64 $(GOBUILD) -o bin/kiosk-linux-arm64 ./cmd/kiosk
	GOOS=linux GOARCH=arm GOARM=7 $(GOBUILD) -o bin/kiosk-linux-armv7 ./cmd/kiosk
	GOOS=linux GOARCH=arm GOARM=6 $(GOBUILD) -o bin/kiosk-linux-armv6 ./cmd/kiosk

# The README's Raspberry Pi install on a fresh Debian bookworm VM with
# systemd as PID 1 (qemu; KVM when it works, else TCG), with the amd64
# binary standing in for the Pi's; see vmtest/README.md. Needs root.
vm-test:
	GOOS=linux GOARCH=amd64 $(GOBUILD) -o bin/kiosk-linux-amd64 ./cmd/kiosk
	vmtest/run bin/kiosk-linux-amd64

# The figures table (start-up, RSS, throughput against a no-op handler,
# disk writes, idle CPU, the page in Chromium, then Chromium's CPU and
# memory showing the page for 5 minutes without and with photos); see
# README, Performance. A quick run: make bench BENCHFLAGS="-browser-duration 1m".
bench:
	go run ./bench $(BENCHFLAGS)

# The go test benchmarks of the hot paths.
bench-go:
	go test -run '^$$' -bench . -benchmem ./...

# The wall screen at every size and photo mode, with the demo and a busy
# week, checked in Chromium and written to docs/screens/ (and today's demo to
# docs/screenshot.png).
screenshots:
	go test ./kiosk/web -run 'TestScreenshots' -count=1 -screenshots

ci:
	bash .ci/run

clean:
	rm -rf bin
