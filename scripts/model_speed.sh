#!/usr/bin/env bash
# Speed of the Verilated NIC model, before and after, in one run: the C++ loop
# over the NIC (scripts/model_speed.cpp) built from the RTL of a baseline
# commit and from the working tree's rtl/, with the flags sim/build.rs uses
# for the fast profile, run in alternating rounds; medians and their ratio.
#
#   scripts/model_speed.sh [BASE]    BASE: a commit (default: the one before
#                                    issue 14 part 6, 7658580)
# Environment: CYCLES (default 1000000), ROUNDS (5), MODE (1: the default
# scenario's frame mix at 50% load; 0: 64-byte frames at line rate),
# INSTR=1 to add instructions per cycle from valgrind --tool=callgrind.
# Builds in target/model_speed/ (about a minute per model; the baseline is
# kept between runs).
set -euo pipefail

base=${1:-7658580}
cycles=${CYCLES:-1000000}
rounds=${ROUNDS:-5}
mode=${MODE:-1}
root=$(git rev-parse --show-toplevel)
out=$root/target/model_speed
vl_root=$(verilator --getenv VERILATOR_ROOT)
vi=$vl_root/include
cxx=${CXX:-g++}
flags="-std=gnu++17 -faligned-new -fcf-protection=none -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=0
       -DVM_TRACE_FST=0 -DVM_TRACE_VCD=0 -I$vi -I$vi/vltstd -w"

# build DIR RTL_DIR: Verilator and g++ as sim/build.rs does for the fast profile
build() {
    local dir=$1 rtl=$2
    rm -rf "$dir/obj"
    mkdir -p "$dir/obj"
    verilator --cc --top-module verinic_nic --prefix Vverinic_nic_fast --Mdir "$dir/obj" -I"$rtl" \
        -O3 --x-assign fast --x-initial fast --noassert "$rtl"/*.v >/dev/null
    local objs=() f o
    for f in "$dir"/obj/*.cpp; do
        case $f in *__Slow*|*__Syms*) o=0 ;; *) o=2 ;; esac
        # shellcheck disable=SC2086
        $cxx $flags -I"$dir/obj" -O$o -c "$f" -o "${f%.cpp}.o" &
        objs+=("${f%.cpp}.o")
    done
    # shellcheck disable=SC2086
    $cxx $flags -I"$dir/obj" -O2 -c "$root/scripts/model_speed.cpp" -o "$dir/obj/main.o" &
    wait
    $cxx -o "$dir/model_speed" "${objs[@]}" "$dir/obj/main.o" "$out/runtime/verilated.o" \
        "$out/runtime/verilated_threads.o" -lpthread -lz
}

mkdir -p "$out/runtime"
if [ ! -f "$out/runtime/verilated_threads.o" ]; then
    # shellcheck disable=SC2086
    $cxx $flags -O2 -c "$vi/verilated.cpp" -o "$out/runtime/verilated.o"
    # shellcheck disable=SC2086
    $cxx $flags -O2 -c "$vi/verilated_threads.cpp" -o "$out/runtime/verilated_threads.o"
fi

base_id=$(git -C "$root" rev-parse --short "$base")
if [ ! -x "$out/base-$base_id/model_speed" ]; then
    echo "building the baseline model (rtl/ of $base_id)..." >&2
    rm -rf "$out/base-$base_id"
    mkdir -p "$out/base-$base_id/rtl"
    git -C "$root" archive "$base_id" rtl | tar -x -C "$out/base-$base_id/rtl" --strip-components=1
    build "$out/base-$base_id" "$out/base-$base_id/rtl"
fi
echo "building the working tree's model..." >&2
build "$out/now" "$root/rtl"

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
bw=() bc=() nw=() nc=() ratios=()
for ((r = 0; r < rounds; r++)); do
    read -r w c < <("$out/base-$base_id/model_speed" "$mode" "$cycles")
    bw+=("$w") bc+=("$c")
    read -r w c < <("$out/now/model_speed" "$mode" "$cycles")
    nw+=("$w") nc+=("$c")
    ratios+=("$(awk -v a="$c" -v b="${bc[r]}" 'BEGIN {printf "%.3f", a / b}')")
done
m() { printf '%s\n' "$@" | median; }
echo "C++ loop over the NIC, MODE=$mode, $cycles cycles, $rounds alternating rounds, medians"
echo "(M cycles per second of wall time / of CPU time; the CPU-time figures are the steadier on a loaded machine):"
printf '  baseline rtl/ (%s)   %8.3f / %8.3f M cycles/s\n' "$base_id" "$(m "${bw[@]}")" "$(m "${bc[@]}")"
printf '  working tree rtl/     %8.3f / %8.3f M cycles/s\n' "$(m "${nw[@]}")" "$(m "${nc[@]}")"
awk -v a="$(m "${nw[@]}")" -v b="$(m "${bw[@]}")" -v c="$(m "${nc[@]}")" -v d="$(m "${bc[@]}")" -v r="$(m "${ratios[@]}")" \
    'BEGIN {printf "  speed-up              %8.2fx / %8.2fx  (median of the per-round CPU-time ratios: %.2fx)\n", a / b, c / d, r}'

if [ "${INSTR:-0}" = 1 ] && command -v valgrind >/dev/null; then
    # instructions per cycle: a run of 200k cycles minus a run of none (set-up)
    ipc() {
        local a z
        z=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" "$mode" 0 2>&1 | awk '/refs:/ {gsub(",", "", $4); print $4}')
        a=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" "$mode" 200000 2>&1 | awk '/refs:/ {gsub(",", "", $4); print $4}')
        echo $(((a - z) / 200000))
    }
    echo "  instructions per cycle: baseline $(ipc "$out/base-$base_id/model_speed"), working tree $(ipc "$out/now/model_speed")"
fi
