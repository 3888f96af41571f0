# verinic: make run | test | lint | bench | waves | sweep | moderation
#
# Every target installs what it needs first (scripts/ensure-tools.sh).

RTL      := $(sort $(wildcard rtl/*.v))
RTL_TOPS := verinic_mac verinic_nic
CARGO    ?= cargo
WAVES    ?= out/loopback.fst

.PHONY: all run test lint bench waves sweep moderation tools clean

all: test

tools:
	@./scripts/ensure-tools.sh

## The main job: the NIC scenario (scenarios/default.toml): traffic into the
## NIC RTL, the driver on a simulated CPU; throughput, drops, latency, CPU.
run: tools
	$(CARGO) run --release --quiet -- run

## The tuning workbench's demo: coalescing x load, every point in parallel;
## a table, out/sweep-coalescing/{results.csv,results.jsonl,*.svg,*.png,index.html}.
sweep: tools
	$(CARGO) run --release --quiet -- sweep --config scenarios/sweep_coalescing.toml

## Interrupt moderation compared (docs/moderation.md): five strategies over
## load, two frame-size families; plots in out/moderation/compare/.
MODERATION := no_coalescing e1000_static tuned dynamic_itr dim
moderation: tools
	$(CARGO) build --release --quiet
	for s in $(MODERATION); do ./target/release/verinic sweep --quiet --config scenarios/moderation/$$s.toml --out out/moderation/$$s || exit 1; done
	./target/release/verinic compare $(addprefix out/moderation/,$(MODERATION)) --out out/moderation/compare

## Lint, then every test against the Verilated RTL.
test: tools lint
	$(CARGO) test --workspace

## Verilator -Wall over all of rtl/ (zero warnings), Icarus must accept it;
## rustfmt (rustfmt.toml) and clippy with warnings as errors over every crate.
lint: tools
	for top in $(RTL_TOPS); do verilator --lint-only -Wall --top-module $$top $(RTL) || exit 1; done
	for top in $(RTL_TOPS); do iverilog -g2001 -o /dev/null -s $$top $(RTL) || exit 1; done
	@echo "lint: RTL clean ($(words $(RTL)) files)"
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings
	@echo "lint: Rust clean (rustfmt, clippy -D warnings)"

## Benchmarks: simulator speed (criterion, Rust harness against C++), the
## NIC's line rate with the driver, and the sweep's parallel speed-up (tables).
bench: tools
	$(CARGO) bench --bench mac_loopback
	$(CARGO) bench --bench nic_line_rate
	$(CARGO) bench --bench nic_speed
	$(CARGO) bench --bench sweep_speed

## The MAC loopback demo with an FST waveform of every signal.
waves: tools
	@mkdir -p $(dir $(WAVES))
	$(CARGO) run --release --quiet -- loopback --frames 40 --waves $(WAVES)
	@echo "waves: $(abspath $(WAVES))  (open with: gtkwave $(WAVES)  or  surfer $(WAVES))"

clean:
	$(CARGO) clean
	rm -rf out
