//! Builds the Verilated models of `rtl/` and the thin C ABI shim around them.
//!
//! For every (top level, profile) pair this script
//! 1. runs Verilator (5.006 or newer, found on PATH or in `$VERILATOR`) to turn
//!    the RTL into C++;
//! 2. reads the port list from the generated header and writes a shim from
//!    `csrc/vn_model.cpp.in` that hands Rust one pointer per port, plus the
//!    Rust side of those ports (`<top>_ports.rs` in OUT_DIR);
//! 3. compiles the generated C++ with flags of our choosing (the hot code at
//!    -O2, Verilator's "slow" construction code at -O0 to save build time) and
//!    links everything as one static library, with Verilator's runtime.
//!
//! Profiles: `fast` (no tracing, X values resolved to zero at build time) and
//! `debug` (FST tracing, `--x-assign unique --x-initial unique` so that a run
//! with random reset values can expose state that lacks a reset).
//!
//! The per-module testbenches (`tests/module_*.rs`) get more top levels,
//! [`MODULE_TOPS`]: single blocks of the NIC, some at several parameter sets
//! (`-G` overrides give distinct models and Rust types). They are small, so
//! each is built once (profile `tb`: `--x-initial unique`, so random reset
//! works, no tracing), as one C++ translation unit at `-O1`: both
//! [`Profile`](crate::model::Profile)s of their Rust type use that build.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Verilog top levels to build, with the name of their generated Rust type.
const TOPS: &[(&str, &str)] = &[("verinic_mac", "VerinicMacPorts"), ("verinic_nic", "VerinicNicPorts")];

/// A single block built as its own top level for its testbench.
struct ModuleTop {
    /// The Verilog module.
    module: &'static str,
    /// Unique name of this build (model prefix `V<name>_tb`).
    name: &'static str,
    /// The generated Rust type of its ports.
    rust_type: &'static str,
    /// Parameter overrides (`-G<name>=<value>`).
    params: &'static [(&'static str, &'static str)],
}

const MODULE_TOPS: &[ModuleTop] = &[
    ModuleTop { module: "verinic_rx_fifo", name: "rx_fifo", rust_type: "RxFifoPorts", params: &[] },
    ModuleTop {
        module: "verinic_rx_fifo",
        name: "rx_fifo_small",
        rust_type: "RxFifoSmallPorts",
        params: &[("ADDR_LOG2", "5"), ("FRAMES_LOG2", "2")],
    },
    ModuleTop { module: "verinic_coalesce", name: "coalesce", rust_type: "CoalescePorts", params: &[] },
    ModuleTop {
        module: "verinic_coalesce",
        name: "coalesce_fast",
        rust_type: "CoalesceFastPorts",
        params: &[("CYCLES_PER_UNIT", "8'd3")],
    },
    ModuleTop { module: "verinic_axi_rd_arb", name: "rd_arb", rust_type: "RdArbPorts", params: &[] },
    ModuleTop {
        module: "verinic_axi_rd_arb",
        name: "rd_arb_5",
        rust_type: "RdArb5Ports",
        params: &[("CLIENTS", "5"), ("ID_W", "4")],
    },
    ModuleTop { module: "verinic_axi_wr_arb", name: "wr_arb", rust_type: "WrArbPorts", params: &[] },
    ModuleTop {
        module: "verinic_axi_wr_arb",
        name: "wr_arb_2",
        rust_type: "WrArb2Ports",
        params: &[("CLIENTS", "2"), ("GRANT_LOG2", "1")],
    },
    ModuleTop { module: "verinic_desc_fetch", name: "desc_fetch", rust_type: "DescFetchPorts", params: &[] },
    ModuleTop {
        module: "verinic_desc_fetch",
        name: "desc_fetch_small",
        rust_type: "DescFetchSmallPorts",
        params: &[("CACHE_LOG2", "3"), ("MAX_BURST", "3")],
    },
    ModuleTop { module: "verinic_desc_wb", name: "desc_wb", rust_type: "DescWbPorts", params: &[] },
    ModuleTop {
        module: "verinic_desc_wb",
        name: "desc_wb_small",
        rust_type: "DescWbSmallPorts",
        params: &[("QUEUE_LOG2", "2"), ("MAX_BURST", "3"), ("TRACK_LOG2", "1")],
    },
    ModuleTop { module: "verinic_rx_csum", name: "rx_csum", rust_type: "RxCsumPorts", params: &[] },
    ModuleTop { module: "verinic_tx_csum", name: "tx_csum", rust_type: "TxCsumPorts", params: &[] },
];

/// Verilator flags of the module tops (see the crate docs above).
// `-Wno-fatal`: a block as top level may draw warnings it does not draw inside the NIC
// (a 32-bit top-level parameter narrowed into a localparam); `make lint` lints the real tops.
const TB_FLAGS: &[&str] = &["-O3", "--x-assign", "unique", "--x-initial", "unique", "-Wno-fatal"];

struct Profile {
    name: &'static str,
    trace: bool,
    verilator_flags: &'static [&'static str],
}

const PROFILES: &[Profile] = &[
    Profile {
        name: "fast",
        trace: false,
        verilator_flags: &["-O3", "--x-assign", "fast", "--x-initial", "fast", "--noassert"],
    },
    Profile {
        name: "debug",
        trace: true,
        verilator_flags: &["-O3", "--x-assign", "unique", "--x-initial", "unique", "--trace-fst", "--trace-underscore"],
    },
];

const MIN_VERILATOR: (u32, u32) = (5, 6);

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let rtl_dir = manifest.join("../rtl").canonicalize().expect("rtl/ next to sim/");
    let csrc = manifest.join("csrc");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());

    println!("cargo:rerun-if-env-changed=VERILATOR");
    println!("cargo:rerun-if-changed={}", rtl_dir.display());
    println!("cargo:rerun-if-changed={}", csrc.display());

    let verilator = env::var("VERILATOR").unwrap_or_else(|_| "verilator".into());
    check_verilator_version(&verilator);
    let vl_include = verilator_root(&verilator).join("include");

    let mut rtl_files: Vec<PathBuf> = fs::read_dir(&rtl_dir)
        .expect("read rtl/")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "v"))
        .collect();
    rtl_files.sort();
    // Sources are the `.v` files; `.vh` headers (verinic_desc.vh) come in by `include from rtl/.
    for entry in fs::read_dir(&rtl_dir).expect("read rtl/") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "v" || e == "vh") {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }

    let mut rust_ports = String::new();
    let mut objects = Vec::new();
    // Verilate everything first (fast), then compile the models in parallel.
    let mut models = Vec::new();
    for &(top, rust_type) in TOPS {
        let mut ports_of_top: Option<Vec<Port>> = None;
        for profile in PROFILES {
            let prefix = format!("V{top}_{}", profile.name);
            let mdir = out.join(format!("obj_{prefix}"));
            let _ = fs::remove_dir_all(&mdir);
            verilate(&verilator, top, &prefix, &mdir, profile, &rtl_dir, &rtl_files);
            let ports = parse_ports(&mdir.join(format!("{prefix}.h")));
            if let Some(prev) = &ports_of_top {
                assert!(prev == &ports, "profiles of {top} disagree on ports");
            }
            write_shim(&csrc, &mdir, &prefix, top, profile.name, &ports);
            // Hand-written C++ drivers of the fast model (`csrc/<top>_cpp_*.cpp`), for benchmarks.
            if profile.name == "fast" {
                for entry in fs::read_dir(&csrc).unwrap() {
                    let path = entry.unwrap().path();
                    let name = path.file_name().unwrap().to_string_lossy().into_owned();
                    if name.starts_with(&format!("{top}_cpp_")) && name.ends_with(".cpp") {
                        fs::copy(&path, mdir.join(format!("{prefix}__{name}"))).unwrap();
                    }
                }
            }
            ports_of_top = Some(ports);
            models.push((mdir, profile.trace));
        }
        rust_ports.push_str(&rust_port_code(top, rust_type, &ports_of_top.unwrap()));
    }
    // The module tops: one build each, both profiles of the Rust type point at it.
    let mut tb_models = Vec::new();
    for m in MODULE_TOPS {
        let prefix = format!("V{}_tb", m.name);
        let mdir = out.join(format!("obj_{prefix}"));
        let _ = fs::remove_dir_all(&mdir);
        let profile = Profile { name: "tb", trace: false, verilator_flags: TB_FLAGS };
        let params: Vec<String> = m.params.iter().map(|(k, v)| format!("-G{k}={v}")).collect();
        verilate_with(&verilator, m.module, &prefix, &mdir, &profile, &params, &rtl_dir, &rtl_files);
        let ports = parse_ports(&mdir.join(format!("{prefix}.h")));
        write_shim(&csrc, &mdir, &prefix, m.module, "tb", &ports);
        rust_ports.push_str(&rust_port_code_for(m.module, &prefix, m.rust_type, &ports, &[&prefix, &prefix]));
        tb_models.push(mdir);
    }
    fs::write(out.join("ports.rs"), rust_ports).unwrap();

    let results: Vec<Vec<PathBuf>> = std::thread::scope(|s| {
        let handles: Vec<_> =
            models.iter().map(|(mdir, trace)| s.spawn(|| compile_model(mdir, *trace, &vl_include, &csrc))).collect();
        // The small module tops: a few threads, each compiling a share of them.
        let threads = 2.min(tb_models.len());
        let tb_handles: Vec<_> = (0..threads)
            .map(|t| {
                let mine: Vec<&PathBuf> = tb_models.iter().skip(t).step_by(threads).collect();
                let (vl_include, csrc) = (&vl_include, &csrc);
                s.spawn(move || mine.into_iter().flat_map(|mdir| compile_unity(mdir, vl_include, csrc)).collect())
            })
            .collect();
        handles.into_iter().chain(tb_handles).map(|h| h.join().unwrap()).collect()
    });
    for r in results {
        objects.extend(r);
    }
    objects.extend(compile_runtime(&vl_include, &csrc, &out));

    cc::Build::new().objects(&objects).compile("vn_models");
    println!("cargo:rustc-link-lib=z");
    println!("cargo:rustc-link-lib=pthread");
    println!("cargo:rustc-link-lib=stdc++");
}

fn fail(msg: &str) -> ! {
    eprintln!("\nerror: {msg}\n");
    panic!("{msg}");
}

fn check_verilator_version(verilator: &str) {
    let install_hint = "install it with `apt-get install verilator` (Debian bookworm ships 5.006), \
                        or point $VERILATOR at a verilator binary";
    let output = Command::new(verilator)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| fail(&format!("cannot run `{verilator}` ({e}): {install_hint}")));
    let text = String::from_utf8_lossy(&output.stdout);
    // "Verilator 5.006 2023-01-22 rev ..."
    let version = text.split_whitespace().nth(1).unwrap_or("");
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if found < MIN_VERILATOR {
        fail(&format!(
            "Verilator {}.{:03} or newer is needed, found `{}`: {install_hint}",
            MIN_VERILATOR.0,
            MIN_VERILATOR.1,
            text.trim()
        ));
    }
}

fn verilator_root(verilator: &str) -> PathBuf {
    let output = Command::new(verilator)
        .args(["--getenv", "VERILATOR_ROOT"])
        .output()
        .unwrap_or_else(|e| fail(&format!("`{verilator} --getenv VERILATOR_ROOT` failed: {e}")));
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

fn verilate(verilator: &str, top: &str, prefix: &str, mdir: &Path, profile: &Profile, rtl_dir: &Path, rtl: &[PathBuf]) {
    verilate_with(verilator, top, prefix, mdir, profile, &[], rtl_dir, rtl);
}

#[allow(clippy::too_many_arguments)]
fn verilate_with(
    verilator: &str,
    top: &str,
    prefix: &str,
    mdir: &Path,
    profile: &Profile,
    extra: &[String],
    rtl_dir: &Path,
    rtl: &[PathBuf],
) {
    let status = Command::new(verilator)
        .args(["--cc", "--top-module", top, "--prefix", prefix, "--Mdir"])
        .arg(mdir)
        .arg(format!("-I{}", rtl_dir.display()))
        .args(profile.verilator_flags)
        .args(extra)
        .args(rtl)
        .status()
        .unwrap_or_else(|e| fail(&format!("running verilator: {e}")));
    if !status.success() {
        fail(&format!("verilator failed on top `{top}` ({}); see the messages above", profile.name));
    }
}

/// One top-level port, as declared in the Verilated header.
#[derive(Debug, Clone, PartialEq)]
struct Port {
    name: String,
    input: bool,
    width: u32,
}

impl Port {
    /// The accessor's value type.
    fn rust_type(&self) -> &'static str {
        match self.width {
            1..=8 => "u8",
            9..=16 => "u16",
            17..=32 => "u32",
            33..=64 => "u64",
            _ => "u128",
        }
    }

    /// Verilator stores ports over 64 bits as arrays of 32-bit words.
    fn wide(&self) -> bool {
        self.width > 64
    }

    /// Over 128 bits: accessed by bit field (`<port>_bits`, `set_<port>_bits`).
    fn very_wide(&self) -> bool {
        self.width > 128
    }

    /// The pointee type in the model.
    fn storage_type(&self) -> &'static str {
        if self.wide() {
            "u32"
        } else {
            self.rust_type()
        }
    }
}

/// Reads `VL_IN8(&name,msb,lsb);`-style declarations from the model header.
fn parse_ports(header: &Path) -> Vec<Port> {
    let text = fs::read_to_string(header).unwrap();
    let mut ports = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(open) = line.find("(&") else { continue };
        let kind = &line[..open];
        let input = match kind {
            "VL_IN8" | "VL_IN16" | "VL_IN" | "VL_IN64" | "VL_INW" => true,
            "VL_OUT8" | "VL_OUT16" | "VL_OUT" | "VL_OUT64" | "VL_OUTW" => false,
            k if k.starts_with("VL_IN") || k.starts_with("VL_OUT") => fail(&format!(
                "{}: port declaration `{line}` is not supported: top-level ports must be \
                 plain inputs or outputs",
                header.display()
            )),
            _ => continue,
        };
        let args: Vec<&str> = line[open + 2..].trim_end_matches(");").split(',').collect();
        let msb: u32 = args[1].trim().parse().unwrap();
        let lsb: u32 = args[2].trim().parse().unwrap();
        let width = msb - lsb + 1;
        if width > 1024 {
            fail(&format!("{}: port `{}` is {width} bits; at most 1024 are supported", header.display(), args[0]));
        }
        ports.push(Port { name: args[0].to_string(), input, width });
    }
    assert!(ports.iter().any(|p| p.name == "clk" && p.input), "top needs an input `clk`");
    // The shim owns the clock.
    ports.retain(|p| p.name != "clk");
    ports
}

fn write_shim(csrc: &Path, mdir: &Path, prefix: &str, top: &str, profile: &str, ports: &[Port]) {
    let template = fs::read_to_string(csrc.join("vn_model.cpp.in")).unwrap();
    let mut bind = String::new();
    for (i, p) in ports.iter().enumerate() {
        writeln!(bind, "    out[{i}] = &top->{};", p.name).unwrap();
    }
    let text = template
        .replace("@PREFIX@", prefix)
        .replace("@TOP@", top)
        .replace("@PROFILE@", profile)
        .replace("@PORT_COUNT@", &ports.len().to_string())
        .replace("@BIND@", bind.trim_end());
    fs::write(mdir.join(format!("{prefix}__vn_shim.cpp")), text).unwrap();
}

fn base_build(vl_include: &Path, csrc: &Path, trace: bool) -> cc::Build {
    let mut b = cc::Build::new();
    b.cpp(true)
        .warnings(false)
        .include(vl_include)
        .include(vl_include.join("vltstd"))
        .include(csrc)
        .define("VM_COVERAGE", "0")
        .define("VM_SC", "0")
        .define("VM_TRACE", if trace { "1" } else { "0" })
        .define("VM_TRACE_FST", if trace { "1" } else { "0" })
        .define("VM_TRACE_VCD", "0")
        .flag("-std=gnu++17")
        .flag("-faligned-new")
        .flag("-fcf-protection=none");
    b
}

/// Compiles one small Verilated model and its shim as a single translation
/// unit at -O1 (a module top for a testbench); returns the object file.
fn compile_unity(mdir: &Path, vl_include: &Path, csrc: &Path) -> Vec<PathBuf> {
    let mut files: Vec<String> = fs::read_dir(mdir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cpp"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with("__unity.cpp"))
        .collect();
    files.sort();
    let unity = mdir.join(format!("{}__unity.cpp", mdir.file_name().unwrap().to_string_lossy()));
    let text: String = files.iter().map(|f| format!("#include \"{f}\"\n")).collect();
    fs::write(&unity, text).unwrap();
    let mut b = base_build(vl_include, csrc, false);
    b.include(mdir).opt_level(1).file(&unity).out_dir(mdir.join("o1"));
    b.compile_intermediates()
}

/// Compiles one Verilated model and its shim; returns the object files.
fn compile_model(mdir: &Path, trace: bool, vl_include: &Path, csrc: &Path) -> Vec<PathBuf> {
    let mut hot = Vec::new();
    let mut slow = Vec::new();
    for entry in fs::read_dir(mdir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "cpp") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.contains("__Slow") || name.contains("__Syms") {
                slow.push(path);
            } else {
                hot.push(path);
            }
        }
    }
    hot.sort();
    slow.sort();
    let mut objects = Vec::new();
    for (files, opt) in [(hot, 2), (slow, 0)] {
        let mut b = base_build(vl_include, csrc, trace);
        b.include(mdir).opt_level(opt).files(&files).out_dir(mdir.join(format!("o{opt}")));
        objects.extend(b.compile_intermediates());
    }
    objects
}

/// Verilator's runtime library, shared by all models.
fn compile_runtime(vl_include: &Path, csrc: &Path, out: &Path) -> Vec<PathBuf> {
    let mut b = base_build(vl_include, csrc, true);
    b.opt_level(2)
        .file(vl_include.join("verilated.cpp"))
        .file(vl_include.join("verilated_threads.cpp"))
        .file(vl_include.join("verilated_fst_c.cpp"))
        .out_dir(out.join("obj_runtime"));
    b.compile_intermediates()
}

/// Rust view of a top's ports: one raw pointer per port, with typed accessors.
fn rust_port_code(top: &str, rust_type: &str, ports: &[Port]) -> String {
    let fast = format!("V{top}_fast");
    let debug = format!("V{top}_debug");
    rust_port_code_for(top, top, rust_type, ports, &[&fast, &debug])
}

/// As [`rust_port_code`], for the model builds `prefixes` (fast, debug) of `top`.
fn rust_port_code_for(top: &str, model: &str, rust_type: &str, ports: &[Port], prefixes: &[&str; 2]) -> String {
    let mut s = String::new();
    let count = ports.len();
    writeln!(
        s,
        "/// Ports of the Verilated `{top}` (all but `clk`, which [`Sim::tick`](crate::model::Sim::tick) drives)."
    )
    .unwrap();
    writeln!(s, "///").unwrap();
    writeln!(s, "/// Generated by `sim/build.rs` from the model header: the RTL is the one source.").unwrap();
    writeln!(s, "/// Reads return the value after the last clock edge; writes take effect at").unwrap();
    writeln!(s, "/// the next one.").unwrap();
    writeln!(s, "pub struct {rust_type} {{").unwrap();
    for p in ports {
        writeln!(s, "    {}: *mut {},", p.name, p.storage_type()).unwrap();
    }
    writeln!(s, "}}\n").unwrap();
    writeln!(s, "impl {rust_type} {{").unwrap();
    for p in ports {
        let ty = p.rust_type();
        let dir = if p.input { "input" } else { "output" };
        let range = if p.width == 1 { String::new() } else { format!(" [{}:0]", p.width - 1) };
        if p.very_wide() {
            let words = p.width.div_ceil(32);
            writeln!(s, "    /// `{dir}{range} {}`: bits `lo..lo + width` (width at most 128)", p.name).unwrap();
            writeln!(s, "    #[inline(always)]").unwrap();
            writeln!(s, "    pub fn {}_bits(&self, lo: u32, width: u32) -> u128 {{", p.name).unwrap();
            writeln!(s, "        // SAFETY: the port is {words} words long.").unwrap();
            writeln!(
                s,
                "        crate::model::wide_get(unsafe {{ std::slice::from_raw_parts(self.{}, {words}) }}, lo, width)",
                p.name
            )
            .unwrap();
            writeln!(s, "    }}").unwrap();
            if p.input {
                writeln!(s, "    /// Drives bits `lo..lo + width` of `{}` from the next clock edge on.", p.name)
                    .unwrap();
                writeln!(s, "    #[inline(always)]").unwrap();
                writeln!(s, "    pub fn set_{}_bits(&self, lo: u32, width: u32, value: u128) {{", p.name).unwrap();
                writeln!(s, "        // SAFETY: the port is {words} words long; nothing else refers to it now.")
                    .unwrap();
                writeln!(
                    s,
                    "        crate::model::wide_set(unsafe {{ std::slice::from_raw_parts_mut(self.{}, {words}) }}, lo, width, value)",
                    p.name
                )
                .unwrap();
                writeln!(s, "    }}").unwrap();
            }
            continue;
        }
        if p.wide() {
            let words = p.width.div_ceil(32);
            writeln!(s, "    /// `{dir}{range} {}`", p.name).unwrap();
            writeln!(s, "    #[inline(always)]").unwrap();
            writeln!(s, "    pub fn {}(&self) -> u128 {{", p.name).unwrap();
            writeln!(s, "        let mut v = 0u128;").unwrap();
            writeln!(
                s,
                "        for i in (0..{words}).rev() {{ v = (v << 32) | unsafe {{ *self.{}.add(i) }} as u128; }}",
                p.name
            )
            .unwrap();
            writeln!(s, "        v").unwrap();
            writeln!(s, "    }}").unwrap();
            if p.input {
                writeln!(s, "    /// Drives `{}` from the next clock edge on.", p.name).unwrap();
                writeln!(s, "    #[inline(always)]").unwrap();
                writeln!(s, "    pub fn set_{}(&self, value: u128) {{", p.name).unwrap();
                writeln!(
                    s,
                    "        for i in 0..{words} {{ unsafe {{ *self.{}.add(i) = (value >> (32 * i)) as u32 }} }}",
                    p.name
                )
                .unwrap();
                writeln!(s, "    }}").unwrap();
            }
            continue;
        }
        if p.width == 1 {
            writeln!(s, "    /// `{dir}{range} {}`", p.name).unwrap();
            writeln!(s, "    #[inline(always)]").unwrap();
            writeln!(s, "    pub fn {}(&self) -> bool {{ unsafe {{ *self.{} != 0 }} }}", p.name, p.name).unwrap();
        } else {
            writeln!(s, "    /// `{dir}{range} {}`", p.name).unwrap();
            writeln!(s, "    #[inline(always)]").unwrap();
            writeln!(s, "    pub fn {}(&self) -> {ty} {{ unsafe {{ *self.{} }} }}", p.name, p.name).unwrap();
        }
        if p.input {
            writeln!(s, "    /// Drives `{}` from the next clock edge on.", p.name).unwrap();
            writeln!(s, "    #[inline(always)]").unwrap();
            if p.width == 1 {
                writeln!(
                    s,
                    "    pub fn set_{}(&self, value: bool) {{ unsafe {{ *self.{} = value as u8 }} }}",
                    p.name, p.name
                )
                .unwrap();
            } else {
                let bits = match ty {
                    "u8" => 8,
                    "u16" => 16,
                    "u32" => 32,
                    _ => 64,
                };
                // Verilator expects unused high bits to stay zero.
                let mask = if p.width == bits { String::new() } else { format!(" & {:#x}", (1u64 << p.width) - 1) };
                writeln!(
                    s,
                    "    pub fn set_{}(&self, value: {ty}) {{ unsafe {{ *self.{} = value{mask} }} }}",
                    p.name, p.name
                )
                .unwrap();
            }
        }
    }
    output_code(&mut s, ports);
    writeln!(s, "}}\n").unwrap();
    writeln!(s, "// SAFETY: the pointers come from `bind_ports` of a model of this top with").unwrap();
    writeln!(s, "// exactly this port list, and live as long as the `Sim` that owns both.").unwrap();
    writeln!(s, "unsafe impl crate::model::Ports for {rust_type} {{").unwrap();
    writeln!(s, "    const TOP: &'static str = \"{model}\";").unwrap();
    writeln!(s, "    const COUNT: usize = {count};").unwrap();
    writeln!(s, "    unsafe fn from_pointers(p: &[*mut core::ffi::c_void]) -> Self {{").unwrap();
    writeln!(s, "        assert_eq!(p.len(), {count});").unwrap();
    writeln!(s, "        Self {{").unwrap();
    for (i, p) in ports.iter().enumerate() {
        writeln!(s, "            {}: p[{i}].cast(),", p.name).unwrap();
    }
    writeln!(s, "        }}").unwrap();
    writeln!(s, "    }}").unwrap();
    writeln!(s, "    fn vtable(profile: crate::model::Profile) -> &'static crate::model::Vtable {{").unwrap();
    writeln!(s, "        extern \"C\" {{").unwrap();
    let mut declared: Vec<&str> = prefixes.to_vec();
    declared.dedup();
    for prefix in declared {
        writeln!(s, "            fn {prefix}_vtable() -> *const crate::model::Vtable;").unwrap();
    }
    writeln!(s, "        }}").unwrap();
    writeln!(s, "        // SAFETY: the shim returns a pointer to a static table.").unwrap();
    writeln!(s, "        unsafe {{").unwrap();
    writeln!(s, "            &*match profile {{").unwrap();
    for (variant, prefix) in ["Fast", "Debug"].iter().zip(prefixes) {
        writeln!(s, "                crate::model::Profile::{variant} => {prefix}_vtable(),").unwrap();
    }
    writeln!(s, "            }}").unwrap();
    writeln!(s, "        }}").unwrap();
    writeln!(s, "    }}").unwrap();
    writeln!(s, "}}").unwrap();
    s
}

/// Every output port at once: `OUTPUTS` (name, 32-bit words) and `read_outputs`,
/// so that a caller can log or compare all outputs without naming them.
fn output_code(s: &mut String, ports: &[Port]) {
    let outputs: Vec<&Port> = ports.iter().filter(|p| !p.input).collect();
    writeln!(s, "    /// Every output port in declaration order: its name and the 32-bit words").unwrap();
    writeln!(s, "    /// it takes in [`Self::read_outputs`].").unwrap();
    writeln!(s, "    pub const OUTPUTS: &'static [(&'static str, usize)] = &[").unwrap();
    for p in &outputs {
        writeln!(s, "        (\"{}\", {}),", p.name, p.width.div_ceil(32)).unwrap();
    }
    writeln!(s, "    ];").unwrap();
    writeln!(s, "    /// Appends the value of every output port after the last clock edge, in").unwrap();
    writeln!(s, "    /// [`Self::OUTPUTS`] order, as 32-bit words (low word first).").unwrap();
    writeln!(s, "    #[inline]").unwrap();
    writeln!(s, "    pub fn read_outputs(&self, out: &mut Vec<u32>) {{").unwrap();
    for p in &outputs {
        let words = p.width.div_ceil(32);
        if p.wide() {
            writeln!(s, "        // SAFETY: the port is {words} words long.").unwrap();
            writeln!(
                s,
                "        out.extend_from_slice(unsafe {{ std::slice::from_raw_parts(self.{}, {words}) }});",
                p.name
            )
            .unwrap();
        } else if words == 2 {
            writeln!(s, "        let v = unsafe {{ *self.{} }};", p.name).unwrap();
            writeln!(s, "        out.extend_from_slice(&[v as u32, (v >> 32) as u32]);").unwrap();
        } else {
            let read = format!("unsafe {{ *self.{} }}", p.name);
            let value = if p.storage_type() == "u32" { read } else { format!("u32::from({read})") };
            writeln!(s, "        out.push({value});").unwrap();
        }
    }
    writeln!(s, "    }}").unwrap();
}
