#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""make synth: yosys synth_xilinx (7-series) of verinic_mac and verinic_nic.

For each top:
  1. elaborate, `proc`, and fail on any inferred latch, combinational loop or
     multi-driven net (`check -assert`, no $dlatch cells);
  2. `synth_xilinx` keeping the hierarchy (so that every block gets its own
     figures), again `check -assert` and no latch (LDCE/LDPE) in the netlist;
  3. per block (each instance under the top, with everything below it) count
     LUTs, flip-flops, block RAMs (RAMB36E1 = 1, RAMB18E1 = 0.5), LUT-RAM
     cells, CARRY4, MUXF7/F8 and DSP48E1, and the longest combinational path
     in logic levels (`ltp` over LUT/MUXF/CARRY4 cells of the flattened block;
     each CARRY4 counts as one level, as Vivado counts logic levels);
  4. check that every FIFO and descriptor cache maps to RAM (RAMB*/RAM*M
     cells in its block), not to flip-flops.

Usage: scripts/synth.py [TOP...] (default: both tops). SYNTH_REUSE=1 skips step 2
and re-reads the figures and netlist of an earlier run from out/synth/.
Output: a Markdown table per top on stdout; logs and netlists in out/synth/.
Python 3 comes with Debian's yosys package.
"""

import glob
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "out", "synth")
TOPS = ["verinic_mac", "verinic_nic"]
LATCHES = "t:$dlatch t:$adlatch t:$dlatchsr t:$_DLATCH_* t:$_DLATCHSR_* t:LDCE t:LDPE"
FFS = ("FDRE", "FDSE", "FDCE", "FDPE")
LUTRAM = ("RAM32M", "RAM64M", "RAM32X1D", "RAM64X1D", "RAM128X1D", "RAM256X1S", "RAM32X1S", "RAM64X1S",
          "RAM128X1S", "RAM32M16", "RAM64M8")
# Blocks that hold a FIFO or a descriptor cache: their storage must be RAM.
RAM_BLOCKS = {
    "verinic_nic": ["rx_fifo_inst", "tx_dma_inst", "rx_fetch_inst", "tx_fetch_inst"],
}


def run_yosys(script, log):
    cmd = ["yosys", "-q", "-l", log, "-p", script]
    r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        sys.stderr.write("synth: yosys failed, see %s\n" % os.path.relpath(log, ROOT))
        for line in open(log, errors="replace"):
            if line.startswith(("ERROR", "Latch inferred", "Warning: found logic loop", "Warning: multiple conflicting")):
                sys.stderr.write("  " + line)
        sys.exit(1)


def base_name(mod):
    """`$paramod$hash\\verinic_rx_fifo` / `$paramod\\verinic_rx_fifo\\ADDR_LOG2=...` -> verinic_rx_fifo."""
    m = re.match(r"^\\?(?:\$paramod(?:\$[0-9a-f]+)?\\)?([A-Za-z0-9_]+)", mod)
    return m.group(1) if m else mod


def rollup(modules, name, memo):
    """Cell counts of a module and everything below it (primitives only)."""
    if name in memo:
        return memo[name]
    total = {}
    for ty, n in modules[name].get("num_cells_by_type", {}).items():
        if "\\" + ty in modules:  # stat -json drops the backslash of public names
            ty = "\\" + ty
        if ty in modules:
            for k, v in rollup(modules, ty, memo).items():
                total[k] = total.get(k, 0) + n * v
        else:
            total[ty] = total.get(ty, 0) + n
    memo[name] = total
    return total


def figures(cells):
    luts = sum(v for k, v in cells.items() if re.fullmatch(r"LUT[1-6]", k))
    ffs = sum(v for k, v in cells.items() if k in FFS)
    bram = cells.get("RAMB36E1", 0) + 0.5 * cells.get("RAMB18E1", 0)
    lutram = sum(v for k, v in cells.items() if k in LUTRAM)
    return {
        "LUT": luts,
        "FF": ffs,
        "BRAM36": bram,
        "LUTRAM": lutram,
        "CARRY4": cells.get("CARRY4", 0),
        "MUXF7": cells.get("MUXF7", 0),
        "MUXF8": cells.get("MUXF8", 0),
        "DSP48": cells.get("DSP48E1", 0),
        "SRL": cells.get("SRL16E", 0) + cells.get("SRLC32E", 0),
    }


def instances(il_text, top_mod):
    """Cell instances (name, type) directly in the top module of an RTLIL file."""
    out = []
    inside = False
    for line in il_text.splitlines():
        s = line.strip()
        if s.startswith("module "):
            inside = s.split()[1] == top_mod
        elif inside and s.startswith("cell "):
            _, ty, name = s.split()[:3]
            out.append((name.lstrip("\\"), ty))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    rtl = sorted(glob.glob(os.path.join(ROOT, "rtl", "*.v")))
    read = "read_verilog -I rtl " + " ".join(os.path.relpath(f, ROOT) for f in rtl)
    for top in sys.argv[1:] or TOPS:
        t0 = time.time()
        js = os.path.join(OUT, top + ".stat.json")
        il = os.path.join(OUT, top + ".il")
        script = "; ".join([
            read,
            "hierarchy -check -top %s" % top,
            "proc",
            "check -assert",
            "select -assert-none %s" % LATCHES,
            "synth_xilinx -top %s -noiopad -noclkbuf" % top,
            "check -assert",
            "select -assert-none %s" % LATCHES,
            "tee -q -o %s stat -json" % js,
            "write_rtlil %s" % il,
        ])
        if not os.environ.get("SYNTH_REUSE"):
            run_yosys(script, os.path.join(OUT, top + ".synth.log"))
        with open(js) as f:
            text = f.read()
        # yosys 0.23's `stat -json` mixes the hierarchy's text lines into the JSON: drop them
        text = "\n".join(l for l in text[text.index("{"):].splitlines() if not re.match(r"^\s+[^\s\"{}]\S*\s+\d+$", l))
        stat = json.loads(text)
        modules = stat["modules"]
        top_mod = next(m for m in modules if base_name(m) == top)
        il_text = open(il).read()
        insts = [(n, t) for n, t in instances(il_text, top_mod) if t in modules]
        memo = {}

        # Longest combinational path per block and over the whole top.
        # everything but the clocked cells (their outputs start a path, their inputs end one)
        comb = "* t:FD* %d t:RAM* %d t:DSP* %d t:SRL* %d"
        parts = ["read_rtlil %s" % os.path.relpath(il, ROOT), "design -save synthd"]
        targets = [(top, top_mod)] + [(n, t) for n, t in insts]
        for label, mod in targets:
            m = mod if mod.startswith("$") else mod.lstrip("\\")
            parts += ["design -load synthd", "hierarchy -top %s" % m, "flatten", "ltp -noff %s" % comb]
        ltp_log = os.path.join(OUT, top + ".ltp.log")
        run_yosys("; ".join(parts), ltp_log)
        depths = [int(x) for x in re.findall(r"Longest topological path in \S+ \(length=(\d+)\)", open(ltp_log).read())]
        if len(depths) != len(targets):
            sys.exit("synth: expected %d ltp results in %s, got %d" % (len(targets), ltp_log, len(depths)))
        # ltp's length is the number of cells on the path
        depth = {label: d for (label, _), d in zip(targets, depths)}

        rows = []
        for name, ty in insts:
            rows.append((name, base_name(ty), figures(rollup(modules, ty, memo)), depth[name]))
        top_cells = rollup(modules, top_mod, memo)
        glue = dict(modules[top_mod].get("num_cells_by_type", {}))
        glue = {k: v for k, v in glue.items() if k not in modules and "\\" + k not in modules}
        rows.append(("(top-level logic)", "", figures(glue), None))
        total = figures(top_cells)

        cols = ["LUT", "FF", "BRAM36", "LUTRAM", "CARRY4", "MUXF7", "MUXF8", "DSP48", "SRL"]
        print("\n### %s (yosys synth_xilinx, 7-series; %.0f s)\n" % (top, time.time() - t0))
        print("| block | module | " + " | ".join(cols) + " | logic levels |")
        print("|---|---|" + "---:|" * (len(cols) + 1))

        def fmt(v):
            return ("%g" % v) if isinstance(v, float) else str(v)

        for name, mod, fig, d in rows:
            print("| %s | %s | %s | %s |" % (name, mod, " | ".join(fmt(fig[c]) for c in cols),
                                              "" if d is None else d))
        print("| **total** | | %s | **%d** |" % (" | ".join("**%s**" % fmt(total[c]) for c in cols), depth[top]))

        # FIFOs and descriptor caches must be RAM, not flip-flops.
        for inst in RAM_BLOCKS.get(top, []):
            ty = dict(insts)[inst]
            fig = figures(rollup(modules, ty, memo))
            if fig["BRAM36"] == 0 and fig["LUTRAM"] == 0:
                sys.exit("synth: %s (%s) holds no block or LUT RAM: its storage went to flip-flops"
                         % (inst, base_name(ty)))
            print("RAM check: %s (%s): %g RAMB36-equivalents, %d LUT-RAM cells, %d FFs"
                  % (inst, base_name(ty), fig["BRAM36"], fig["LUTRAM"], fig["FF"]))
    print("\nsynth: no latch, no combinational loop, no multi-driven net (check -assert); "
          "logs and netlists in out/synth/")


if __name__ == "__main__":
    main()
