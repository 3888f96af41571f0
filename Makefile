# verinic: make run | test | lint | synth | bench | waves | sweep | moderation | livelock
#
# Every target installs what it needs first (scripts/ensure-tools.sh).

# rtl/*.v are the sources; headers (rtl/*.vh) come in by `include (-I rtl)
RTL      := $(sort $(wildcard rtl/*.v))
RTL_TOPS := verinic_mac verinic_nic
CARGO    ?= cargo
WAVES    ?= out/loopback.fst

.PHONY: all run test lint synth bench waves soak sweep moderation livelock tools clean

# Cells a latch can become in yosys: `make lint` and `make synth` fail on any.
LATCHES  := t:$$dlatch t:$$adlatch t:$$dlatchsr

all: test

tools:
	@./scripts/ensure-tools.sh

## The main job: the NIC scenario (scenarios/default.toml): traffic into the
## NIC RTL, the driver on a simulated CPU; throughput, drops, latency, CPU.
run: tools
	$(CARGO) run --release --quiet -- run

## The tuning workbench's demo: coalescing x load, every point in parallel;
## a table, out/sweep-coalescing/{results.csv,results.jsonl,*.svg,*.png,index.html}.
## The long soak (docs/soak.md): 10^7 mixed-fault receive frames with every
## check running; exit 0 only if every check held. FRAMES=... to change.
FRAMES ?= 10000000
soak: tools
	$(CARGO) run --release --quiet -- soak --frames $(FRAMES)

sweep: tools
	$(CARGO) run --release --quiet -- sweep --config scenarios/sweep_coalescing.toml

## Interrupt moderation compared (docs/moderation.md): five strategies over
## load, two frame-size families; plots in out/moderation/compare/.
MODERATION := no_coalescing e1000_static tuned dynamic_itr dim
moderation: tools
	$(CARGO) build --release --quiet
	for s in $(MODERATION); do ./target/release/verinic sweep --quiet --config scenarios/moderation/$$s.toml --out out/moderation/$$s || exit 1; done
	./target/release/verinic compare $(addprefix out/moderation/,$(MODERATION)) --out out/moderation/compare

## Receive livelock reproduced (docs/livelock.md): the legacy interrupt path,
## NAPI, NAPI with coalescing and DIM over load on a slow host; plots in
## out/livelock/compare/.
LIVELOCK := legacy napi napi_coalesce dim
livelock: tools
	$(CARGO) build --release --quiet
	for s in $(LIVELOCK); do ./target/release/verinic sweep --quiet --config scenarios/livelock/$$s.toml --out out/livelock/$$s || exit 1; done
	./target/release/verinic compare $(addprefix out/livelock/,$(LIVELOCK)) --out out/livelock/compare

## Lint, then every test against the Verilated RTL.
test: tools lint
	$(CARGO) test --workspace

## Verilator -Wall over all of rtl/ (zero warnings), Icarus must accept it;
## rustfmt (rustfmt.toml) and clippy with warnings as errors over every crate.
lint: tools
	for top in $(RTL_TOPS); do verilator --lint-only -Wall -Irtl --top-module $$top $(RTL) || exit 1; done
	for top in $(RTL_TOPS); do iverilog -g2001 -I rtl -o /dev/null -s $$top $(RTL) || exit 1; done
	for top in $(RTL_TOPS); do yosys -q -p "read_verilog -I rtl $(RTL); hierarchy -check -top $$top; proc; check -assert; select -assert-none $(LATCHES)" || { echo "lint: yosys found a latch, loop or multi-driven net in $$top (rerun without -q for the message)" >&2; exit 1; }; done
	@echo "lint: RTL clean ($(words $(RTL)) files; verilator, iverilog, yosys proc + check -assert, no latch)"
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings
	@echo "lint: Rust clean (rustfmt, clippy -D warnings)"

## Synthesis for Xilinx 7-series (yosys synth_xilinx) of both tops: a table per
## top and block (LUT, FF, block RAM, LUT-RAM, CARRY4, MUXF7/8, DSP, logic levels);
## fails on a latch, combinational loop or multi-driven net. Not part of `make test`
## (minutes). Logs and netlists: out/synth/.
synth: tools
	./scripts/synth.py

## Benchmarks: simulator speed (criterion, Rust harness against C++), the
## NIC's line rate with the driver, the sweep's parallel speed-up (tables), and
## the NIC model before/after issue 14 part 6 in one run (docs/performance.md).
bench: tools
	$(CARGO) bench --bench mac_loopback
	$(CARGO) bench --bench nic_line_rate
	$(CARGO) bench --bench nic_speed
	$(CARGO) bench --bench sweep_speed
	./scripts/model_speed.sh

## The MAC loopback demo with an FST waveform of every signal.
waves: tools
	@mkdir -p $(dir $(WAVES))
	$(CARGO) run --release --quiet -- loopback --frames 40 --waves $(WAVES)
	@echo "waves: $(abspath $(WAVES))  (open with: gtkwave $(WAVES)  or  surfer $(WAVES))"

clean:
	$(CARGO) clean
	rm -rf out
