//! A behavioural model of the device's e1000 legacy rings, implementing
//! [`Platform`] in-process, for unit tests of the driver.
//!
//! It is NOT the device: the real tests run against the Verilated RTL. It
//! models what the driver relies on and nothing more: registers with e1000
//! semantics (ICR clear-on-read, IMS/IMC, self-clearing CTRL.RST, statistics
//! clear-on-read), sparse DMA memory, ring head/tail ownership, RX of injected
//! frames into descriptors (spanning buffers, DD/EOP/length), TX consumption
//! with DD write-back on RS, and an interrupt line `ICR & IMS != 0`.
//! Interrupt moderation (timers, frame counts, ITR) is not modelled: a cause
//! is raised the moment its event happens.
//!
//! Time: a register read costs [`MockNic::read_latency_ns`], `spend` adds
//! its argument, a write costs nothing (posted). The device does its work
//! synchronously: a frame is written to the ring when injected (or when RDT
//! makes room), TX descriptors are consumed when TDT is written (unless
//! [`MockNic::auto_tx`] is off, then [`MockNic::process_tx`] does it).
//! Everything is deterministic.

use std::collections::{BTreeMap, VecDeque};

use bytes::Bytes;

use crate::desc::{rx_status, tx_cmd, tx_status, RxDesc, TxDesc, DESC_LEN};
use crate::regs::{self, icr};
use crate::Platform;

const PAGE: u64 = 4096;

/// Where the mock's DMA allocations start: above 4 GiB, so that the high
/// halves of ring base addresses (RDBAH/TDBAH) are exercised.
pub const DMA_BASE: u64 = 0x1_0000_0000;

/// One register access, as logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegAccess {
    /// A write (else a read).
    pub write: bool,
    /// Register offset.
    pub offset: u32,
    /// Value written, or value the read returned.
    pub value: u32,
    /// Mock time of the access.
    pub at_ns: u64,
}

/// A frame to receive, with the descriptor fields the device would report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RxFrame {
    /// Frame bytes without FCS (as written to host memory).
    pub data: Bytes,
    /// Error bits for the EOP descriptor.
    pub errors: u8,
    /// Extra status bits for the EOP descriptor (DD and EOP are added).
    pub status: u8,
    /// Checksum field of the EOP descriptor.
    pub checksum: u16,
    /// VLAN tag field of the EOP descriptor.
    pub special: u16,
}

impl RxFrame {
    /// A clean frame.
    pub fn new(data: impl Into<Bytes>) -> Self {
        RxFrame { data: data.into(), ..Default::default() }
    }
}

/// A frame the mock transmitted, with the descriptors it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentFrame {
    /// The bytes, concatenated over its descriptors.
    pub data: Bytes,
    /// Its descriptors as the driver wrote them.
    pub descs: Vec<TxDesc>,
}

/// The mock device and host memory.
#[derive(Debug)]
pub struct MockNic {
    now: u64,
    /// Bus time of one register read. Default 500 ns: a PCIe round trip, of the
    /// order of a small device DMA read (Neugebauer et al., "Understanding PCIe
    /// performance for end host networking", SIGCOMM 2018); mmio_test (2005)
    /// timed an e1000 register read at about 1,700 CPU cycles, 0.7 us at 2.4 GHz.
    pub read_latency_ns: u64,
    /// What VN_ID reads. Default [`regs::VN_ID_VALUE`].
    pub id: u32,
    /// CTRL reads after a reset during which RST still reads 1;
    /// `u32::MAX` = it never clears. Default 3.
    pub reset_reads: u32,
    /// Frames the RX FIFO holds while the ring has no buffer; one more is
    /// dropped (MPC, RXO). Default 64.
    pub fifo_capacity: usize,
    /// Consume TX descriptors as soon as TDT is written. Default true.
    pub auto_tx: bool,
    mem: BTreeMap<u64, Box<[u8; PAGE as usize]>>,
    next_alloc: u64,
    rst_reads_left: u32,
    r: Regs,
    fifo: VecDeque<RxFrame>,
    rx_waiting: bool,
    sent: Vec<SentFrame>,
    log: Vec<RegAccess>,
}

#[derive(Debug, Default, Clone)]
struct Regs {
    ctrl: u32,
    status: u32,
    icr: u32,
    itr: u32,
    ims: u32,
    rctl: u32,
    tctl: u32,
    rdbal: u32,
    rdbah: u32,
    rdlen: u32,
    rdh: u32,
    rdt: u32,
    rdtr: u32,
    radv: u32,
    tdbal: u32,
    tdbah: u32,
    tdlen: u32,
    tdh: u32,
    tdt: u32,
    tidv: u32,
    tadv: u32,
    rxcsum: u32,
    rxframes: u32,
    txframes: u32,
    crcerrs: u32,
    rxerrc: u32,
    mpc: u32,
    gprc: u32,
    gptc: u32,
    gorc: u64,
    gotc: u64,
    rnbc: u32,
    ruc: u32,
    roc: u32,
}

impl Default for MockNic {
    fn default() -> Self {
        Self::new()
    }
}

impl MockNic {
    /// A device out of reset with the link up.
    pub fn new() -> Self {
        MockNic {
            now: 0,
            read_latency_ns: 500,
            id: regs::VN_ID_VALUE,
            reset_reads: 3,
            fifo_capacity: 64,
            auto_tx: true,
            mem: BTreeMap::new(),
            next_alloc: DMA_BASE,
            rst_reads_left: 0,
            r: Regs { status: regs::STATUS_LU, ..Regs::default() },
            fifo: VecDeque::new(),
            rx_waiting: false,
            sent: Vec::new(),
            log: Vec::new(),
        }
    }

    // ---- test-side controls -------------------------------------------

    /// A frame arrives from the wire. Written to the ring at once if there
    /// are enough descriptors, else queued in the FIFO (RNBC counts the
    /// wait); dropped if the FIFO is full (MPC, RXO) or RX is disabled.
    /// Returns false when dropped.
    pub fn receive(&mut self, f: RxFrame) -> bool {
        if self.r.rctl & regs::RCTL_EN == 0 {
            return false;
        }
        if self.fifo.len() >= self.fifo_capacity {
            self.r.mpc += 1;
            self.r.icr |= icr::RXO;
            return false;
        }
        self.fifo.push_back(f);
        self.pump_rx();
        true
    }

    /// [`Self::receive`] of a clean frame.
    pub fn receive_bytes(&mut self, data: impl Into<Bytes>) -> bool {
        self.receive(RxFrame::new(data))
    }

    /// Frames waiting in the RX FIFO.
    pub fn rx_fifo_len(&self) -> usize {
        self.fifo.len()
    }

    /// Changes the link state: STATUS.LU and an LSC cause.
    pub fn set_link(&mut self, up: bool) {
        if up {
            self.r.status |= regs::STATUS_LU;
        } else {
            self.r.status &= !regs::STATUS_LU;
        }
        self.r.icr |= icr::LSC;
    }

    /// The interrupt line: some enabled cause is pending.
    pub fn irq_asserted(&self) -> bool {
        self.r.icr & self.r.ims != 0
    }

    /// Raises causes, as a write to ICS would.
    pub fn raise(&mut self, causes: u32) {
        self.r.icr |= causes;
    }

    /// Adds to a statistics register (CRCERRS, RXERRC, RUC, ROC, ...).
    pub fn bump_stat(&mut self, offset: u32, by: u32) {
        let r = &mut self.r;
        let slot = match offset {
            regs::CRCERRS => &mut r.crcerrs,
            regs::RXERRC => &mut r.rxerrc,
            regs::MPC => &mut r.mpc,
            regs::GPRC => &mut r.gprc,
            regs::GPTC => &mut r.gptc,
            regs::RNBC => &mut r.rnbc,
            regs::RUC => &mut r.ruc,
            regs::ROC => &mut r.roc,
            regs::GORCL => {
                r.gorc += u64::from(by);
                return;
            }
            regs::GOTCL => {
                r.gotc += u64::from(by);
                return;
            }
            _ => return,
        };
        *slot = slot.wrapping_add(by);
    }

    /// A register's value without the side effects of a read.
    pub fn peek(&self, offset: u32) -> u32 {
        let r = &self.r;
        match offset {
            regs::CTRL => r.ctrl | if self.rst_reads_left > 0 { regs::CTRL_RST } else { 0 },
            regs::STATUS => r.status,
            regs::ICR => r.icr,
            regs::ITR => r.itr,
            regs::IMS => r.ims,
            regs::RCTL => r.rctl,
            regs::TCTL => r.tctl,
            regs::RDBAL => r.rdbal,
            regs::RDBAH => r.rdbah,
            regs::RDLEN => r.rdlen,
            regs::RDH => r.rdh,
            regs::RDT => r.rdt,
            regs::RDTR => r.rdtr,
            regs::RADV => r.radv,
            regs::TDBAL => r.tdbal,
            regs::TDBAH => r.tdbah,
            regs::TDLEN => r.tdlen,
            regs::TDH => r.tdh,
            regs::TDT => r.tdt,
            regs::TIDV => r.tidv,
            regs::TADV => r.tadv,
            regs::RXCSUM => r.rxcsum,
            regs::VN_RXFRAMES => r.rxframes,
            regs::VN_TXFRAMES => r.txframes,
            regs::VN_ID => self.id,
            regs::CRCERRS => r.crcerrs,
            regs::RXERRC => r.rxerrc,
            regs::MPC => r.mpc,
            regs::GPRC => r.gprc,
            regs::GPTC => r.gptc,
            regs::GORCL => r.gorc as u32,
            regs::GORCH => (r.gorc >> 32) as u32,
            regs::GOTCL => r.gotc as u32,
            regs::GOTCH => (r.gotc >> 32) as u32,
            regs::RNBC => r.rnbc,
            regs::RUC => r.ruc,
            regs::ROC => r.roc,
            _ => 0,
        }
    }

    /// Every register access so far.
    pub fn log(&self) -> &[RegAccess] {
        &self.log
    }

    /// Forgets the access log.
    pub fn clear_log(&mut self) {
        self.log.clear();
    }

    /// Values written to `offset`, in order.
    pub fn writes_to(&self, offset: u32) -> Vec<u32> {
        self.log.iter().filter(|a| a.write && a.offset == offset).map(|a| a.value).collect()
    }

    /// Frames transmitted so far.
    pub fn sent(&self) -> &[SentFrame] {
        &self.sent
    }

    /// Takes the transmitted frames.
    pub fn take_sent(&mut self) -> Vec<SentFrame> {
        std::mem::take(&mut self.sent)
    }

    /// Mock time in ns.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// RX descriptor `i` as currently in memory.
    pub fn rx_desc(&self, i: usize) -> RxDesc {
        let mut b = [0u8; DESC_LEN];
        self.mem_read(self.rx_base() + (i * DESC_LEN) as u64, &mut b);
        RxDesc::from_bytes(&b)
    }

    /// TX descriptor `i` as currently in memory.
    pub fn tx_desc(&self, i: usize) -> TxDesc {
        let mut b = [0u8; DESC_LEN];
        self.mem_read(self.tx_base() + (i * DESC_LEN) as u64, &mut b);
        TxDesc::from_bytes(&b)
    }

    /// Consumes up to `max_frames` complete frames queued in `[TDH, TDT)`.
    /// Writes DD back to descriptors with RS, raises TXDW if it did, and
    /// TXQE when the queue runs empty. Returns frames sent.
    pub fn process_tx(&mut self, max_frames: usize) -> usize {
        let n = (self.r.tdlen as usize) / DESC_LEN;
        if self.r.tctl & regs::TCTL_EN == 0 || n == 0 || self.r.tdt as usize >= n {
            return 0;
        }
        let mut frames = 0;
        while frames < max_frames {
            let mut i = self.r.tdh as usize % n;
            let tdt = self.r.tdt as usize;
            let mut descs = Vec::new();
            let mut data = Vec::new();
            let mut complete = false;
            while i != tdt {
                let d = self.tx_desc(i);
                let mut chunk = vec![0u8; usize::from(d.length)];
                self.mem_read(d.addr, &mut chunk);
                data.extend_from_slice(&chunk);
                descs.push(d);
                i = (i + 1) % n;
                if d.cmd & tx_cmd::EOP != 0 {
                    complete = true;
                    break;
                }
            }
            if !complete {
                break;
            }
            let first = self.r.tdh as usize % n;
            let mut rs = false;
            for (k, d) in descs.iter().enumerate() {
                if d.cmd & tx_cmd::RS != 0 {
                    rs = true;
                    let addr = self.tx_base() + (((first + k) % n) * DESC_LEN) as u64 + 12;
                    self.mem_write(addr, &[tx_status::DD]);
                }
            }
            self.r.tdh = i as u32;
            self.r.gptc += 1;
            // PSP pads to 60 bytes; the MAC appends the 4-byte FCS.
            self.r.gotc += data.len().max(60) as u64 + 4;
            if rs {
                self.r.icr |= icr::TXDW;
            }
            self.sent.push(SentFrame { data: Bytes::from(data), descs });
            frames += 1;
        }
        if frames > 0 && self.r.tdh == self.r.tdt {
            self.r.icr |= icr::TXQE;
        }
        frames
    }

    // ---- the device's insides ------------------------------------------

    fn rx_base(&self) -> u64 {
        u64::from(self.r.rdbah) << 32 | u64::from(self.r.rdbal & !0xF)
    }

    fn tx_base(&self) -> u64 {
        u64::from(self.r.tdbah) << 32 | u64::from(self.r.tdbal & !0xF)
    }

    fn rx_buf_len(&self) -> usize {
        match (self.r.rctl >> regs::RCTL_BSIZE_SHIFT) & 3 {
            0 => 2048,
            1 => 1024,
            2 => 512,
            _ => 256,
        }
    }

    /// Descriptors the device owns: `[RDH, RDT)`.
    fn rx_owned(&self, n: usize) -> usize {
        (self.r.rdt as usize + n - self.r.rdh as usize) % n
    }

    /// Moves FIFO frames to the ring while descriptors last.
    fn pump_rx(&mut self) {
        let n = (self.r.rdlen as usize) / DESC_LEN;
        if self.r.rctl & regs::RCTL_EN == 0 || n == 0 || self.r.rdt as usize >= n || self.r.rdh as usize >= n {
            return;
        }
        let buf_len = self.rx_buf_len();
        // RDMTS = 1/2, 1/4, 1/8 of the ring.
        let threshold = n >> (1 + ((self.r.rctl >> regs::RCTL_RDMTS_SHIFT) & 3).min(2));
        while let Some(f) = self.fifo.front() {
            let need = f.data.len().div_ceil(buf_len).max(1);
            let owned = self.rx_owned(n);
            if owned < need {
                if !self.rx_waiting {
                    self.r.rnbc += 1;
                    self.rx_waiting = true;
                }
                return;
            }
            self.rx_waiting = false;
            let Some(f) = self.fifo.pop_front() else { return };
            let chunks: Vec<&[u8]> = if f.data.is_empty() { vec![&[][..]] } else { f.data.chunks(buf_len).collect() };
            let last = chunks.len() - 1;
            for (k, chunk) in chunks.iter().enumerate() {
                let i = self.r.rdh as usize;
                let mut d = self.rx_desc(i);
                self.mem_write(d.addr, chunk);
                d.length = chunk.len() as u16;
                d.status = rx_status::DD;
                d.errors = 0;
                if k == last {
                    d.status |= rx_status::EOP | f.status;
                    d.errors = f.errors;
                    d.checksum = f.checksum;
                    d.special = f.special;
                }
                self.mem_write(self.rx_base() + (i * DESC_LEN) as u64, &d.to_bytes());
                self.r.rdh = ((i + 1) % n) as u32;
            }
            self.r.gprc += 1;
            self.r.gorc += f.data.len() as u64 + 4;
            self.r.icr |= icr::RXT0;
            let after = self.rx_owned(n);
            if owned >= threshold && after < threshold {
                self.r.icr |= icr::RXDMT0;
            }
        }
    }

    fn reset(&mut self) {
        let status = self.r.status;
        self.r = Regs { status, ..Regs::default() };
        self.fifo.clear();
        self.rx_waiting = false;
        self.rst_reads_left = self.reset_reads;
    }

    fn read_side_effects(&mut self, offset: u32) -> u32 {
        let v = self.peek(offset);
        let r = &mut self.r;
        match offset {
            // u32::MAX: a reset that never completes.
            regs::CTRL if self.rst_reads_left > 0 && self.rst_reads_left != u32::MAX => self.rst_reads_left -= 1,
            regs::ICR => r.icr = 0,
            regs::CRCERRS => r.crcerrs = 0,
            regs::RXERRC => r.rxerrc = 0,
            regs::MPC => r.mpc = 0,
            regs::GPRC => r.gprc = 0,
            regs::GPTC => r.gptc = 0,
            regs::GORCL => r.gorc &= !0xFFFF_FFFF,
            regs::GORCH => r.gorc &= 0xFFFF_FFFF,
            regs::GOTCL => r.gotc &= !0xFFFF_FFFF,
            regs::GOTCH => r.gotc &= 0xFFFF_FFFF,
            regs::RNBC => r.rnbc = 0,
            regs::RUC => r.ruc = 0,
            regs::ROC => r.roc = 0,
            _ => {}
        }
        v
    }

    fn apply_write(&mut self, offset: u32, v: u32) {
        let r = &mut self.r;
        match offset {
            regs::CTRL => {
                if v & regs::CTRL_RST != 0 {
                    self.reset();
                }
                self.r.ctrl = v & !regs::CTRL_RST;
            }
            regs::ICR => r.icr &= !v,
            regs::ICS => r.icr |= v,
            regs::IMS => r.ims |= v & icr::ALL,
            regs::IMC => r.ims &= !v,
            regs::ITR => r.itr = v,
            regs::RCTL => {
                r.rctl = v;
                self.pump_rx();
            }
            regs::TCTL => r.tctl = v,
            regs::RDBAL => r.rdbal = v,
            regs::RDBAH => r.rdbah = v,
            regs::RDLEN => r.rdlen = v,
            regs::RDH => r.rdh = v & 0xFFFF,
            regs::RDT => {
                r.rdt = v & 0xFFFF;
                self.pump_rx();
            }
            regs::RDTR => r.rdtr = v,
            regs::RADV => r.radv = v,
            regs::TDBAL => r.tdbal = v,
            regs::TDBAH => r.tdbah = v,
            regs::TDLEN => r.tdlen = v,
            regs::TDH => r.tdh = v & 0xFFFF,
            regs::TDT => {
                r.tdt = v & 0xFFFF;
                if self.auto_tx {
                    self.process_tx(usize::MAX);
                }
            }
            regs::TIDV => r.tidv = v,
            regs::TADV => r.tadv = v,
            regs::RXCSUM => r.rxcsum = v,
            regs::VN_RXFRAMES => r.rxframes = v,
            regs::VN_TXFRAMES => r.txframes = v,
            _ => {}
        }
    }

    fn mem_read(&self, addr: u64, buf: &mut [u8]) {
        let mut done = 0;
        while done < buf.len() {
            let a = addr.wrapping_add(done as u64);
            let (page, off) = (a & !(PAGE - 1), (a & (PAGE - 1)) as usize);
            let n = (PAGE as usize - off).min(buf.len() - done);
            match self.mem.get(&page) {
                Some(p) => buf[done..done + n].copy_from_slice(&p[off..off + n]),
                None => buf[done..done + n].fill(0),
            }
            done += n;
        }
    }

    fn mem_write(&mut self, addr: u64, data: &[u8]) {
        let mut done = 0;
        while done < data.len() {
            let a = addr.wrapping_add(done as u64);
            let (page, off) = (a & !(PAGE - 1), (a & (PAGE - 1)) as usize);
            let n = (PAGE as usize - off).min(data.len() - done);
            let p = self.mem.entry(page).or_insert_with(|| Box::new([0u8; PAGE as usize]));
            p[off..off + n].copy_from_slice(&data[done..done + n]);
            done += n;
        }
    }
}

impl Platform for MockNic {
    fn read_reg(&mut self, offset: u32) -> u32 {
        self.now += self.read_latency_ns;
        let value = self.read_side_effects(offset);
        self.log.push(RegAccess { write: false, offset, value, at_ns: self.now });
        value
    }

    fn write_reg(&mut self, offset: u32, value: u32) {
        self.log.push(RegAccess { write: true, offset, value, at_ns: self.now });
        self.apply_write(offset, value);
    }

    fn spend(&mut self, ns: u64) {
        self.now += ns;
    }

    fn now_ns(&self) -> u64 {
        self.now
    }

    fn dma_alloc(&mut self, len: usize, align: usize) -> u64 {
        let align = (align.max(1) as u64).next_power_of_two();
        let addr = self.next_alloc.next_multiple_of(align);
        // Keep allocations on separate pages, like a real allocator would.
        self.next_alloc = (addr + len as u64).next_multiple_of(PAGE);
        addr
    }

    fn dma_read(&mut self, addr: u64, buf: &mut [u8]) {
        self.mem_read(addr, buf);
    }

    fn dma_write(&mut self, addr: u64, data: &[u8]) {
        self.mem_write(addr, data);
    }
}
