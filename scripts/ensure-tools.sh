#!/usr/bin/env bash
# Makes sure the tools the build needs are here: Verilator 5.006 or newer,
# zlib's headers (FST waveforms), Icarus Verilog (the second RTL check), yosys
# (the latch check of make lint, and make synth) and cargo. Installs the Debian packages when run as root; otherwise says what
# to install and fails.
set -euo pipefail

min_major=5
min_minor=6
missing=()

verilator_ok() {
    command -v verilator >/dev/null 2>&1 || return 1
    local v
    v=$(verilator --version | awk '{print $2}')
    local major=${v%%.*} minor=${v#*.}
    minor=$((10#${minor%%.*}))
    [ "$major" -gt "$min_major" ] || { [ "$major" -eq "$min_major" ] && [ "$minor" -ge "$min_minor" ]; }
}

verilator_ok || missing+=(verilator)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
command -v iverilog >/dev/null 2>&1 || missing+=(iverilog)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v yosys >/dev/null 2>&1 || missing+=(yosys)

if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "ensure-tools: installing ${missing[*]} with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "ensure-tools: missing ${missing[*]}." >&2
        echo "  Install them, e.g. on Debian/Ubuntu: sudo apt-get install ${missing[*]}" >&2
        echo "  (Verilator must be ${min_major}.$(printf %03d $min_minor) or newer; set \$VERILATOR to use another binary.)" >&2
        exit 1
    fi
    verilator_ok || { echo "ensure-tools: Verilator is still older than ${min_major}.$(printf %03d $min_minor): $(verilator --version)" >&2; exit 1; }
fi

if ! command -v cargo >/dev/null 2>&1; then
    echo "ensure-tools: cargo not found: install Rust (https://rustup.rs) and retry." >&2
    exit 1
fi
