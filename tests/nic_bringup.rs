//! First contact with the NIC RTL, without the driver: registers by hand, one
//! frame each way, descriptors checked in host memory.

use verinic_driver::desc::{rx_status, tx_cmd, tx_status, RxDesc, TxDesc};
use verinic_driver::regs;
use verinic_sim::nic::{Nic, NicConfig};
use verinic_sim::xgmii::{TxFrame, XgmiiDecoder, XgmiiEncoder};

struct Bench {
    nic: Nic,
    enc: XgmiiEncoder,
    dec: XgmiiDecoder,
}

impl Bench {
    fn new() -> Self {
        let nic = Nic::new(&Default::default(), &NicConfig { trace: true, ..Default::default() }).unwrap();
        Bench { nic, enc: XgmiiEncoder::default(), dec: XgmiiDecoder::new() }
    }

    fn step(&mut self) {
        let w = self.enc.next_word();
        let out = self.nic.step(w);
        self.dec.push(out);
    }

    fn run(&mut self, cycles: u64) {
        for _ in 0..cycles {
            self.step();
        }
    }

    fn write(&mut self, reg: u32, value: u32) {
        self.nic.mmio().write(reg, value);
        while !self.nic.mmio().idle() {
            self.step();
        }
    }

    fn read(&mut self, reg: u32) -> u32 {
        let t = self.nic.mmio().read(reg);
        for _ in 0..10_000 {
            self.step();
            if let Some(v) = self.nic.mmio().poll(t) {
                return v;
            }
        }
        panic!("register read of {reg:#x} never completed");
    }

    fn alloc(&mut self, len: u64, align: u64) -> u64 {
        self.nic.memory_mut().mem_mut().alloc(len, align).unwrap()
    }

    fn mem_write(&mut self, addr: u64, data: &[u8]) {
        self.nic.memory_mut().mem_mut().write(addr, data).unwrap();
    }

    fn mem_read(&self, addr: u64, len: usize) -> Vec<u8> {
        let mut b = vec![0; len];
        self.nic.memory().mem().read(addr, &mut b).unwrap();
        b
    }
}

fn frame(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

#[test]
fn id_register_and_soft_reset() {
    let mut b = Bench::new();
    assert_eq!(b.read(regs::VN_ID), regs::VN_ID_VALUE);
    assert_eq!(b.read(regs::STATUS) & regs::STATUS_LU, regs::STATUS_LU);
    b.write(regs::RDTR, 77);
    assert_eq!(b.read(regs::RDTR), 77);
    b.write(regs::CTRL, regs::CTRL_RST);
    b.run(20);
    assert_eq!(b.read(regs::CTRL) & regs::CTRL_RST, 0, "RST self-clears");
    assert_eq!(b.read(regs::RDTR), 0, "soft reset clears the registers");
}

#[test]
fn one_frame_received_into_host_memory() {
    let mut b = Bench::new();
    let ring = b.alloc(8 * 16, 4096);
    let mut bufs = Vec::new();
    for i in 0..8 {
        let buf = b.alloc(2048, 2048);
        bufs.push(buf);
        b.mem_write(ring + i * 16, &RxDesc { addr: buf, ..Default::default() }.to_bytes());
    }
    b.write(regs::RDBAL, ring as u32);
    b.write(regs::RDBAH, (ring >> 32) as u32);
    b.write(regs::RDLEN, 8 * 16);
    b.write(regs::RDT, 7);
    b.write(regs::IMS, regs::icr::RXT0);
    b.write(regs::RCTL, regs::RCTL_EN);

    let f = frame(100);
    b.enc.enqueue(TxFrame::new(f.clone())).unwrap();
    for _ in 0..2000 {
        b.step();
        if b.nic.irq() {
            break;
        }
    }
    assert!(b.nic.irq(), "no interrupt\n{}", b.nic.trace().render(&regs::name));
    let d = RxDesc::from_bytes(&b.mem_read(ring, 16).try_into().unwrap());
    // RXCSUM is 0: nothing was checked, so IXSM says "ignore the checksum bits"
    assert_eq!(d.status, rx_status::DD | rx_status::EOP | rx_status::IXSM, "{d:?}");
    assert_eq!(d.length, 100);
    assert_eq!(b.mem_read(bufs[0], 100), f);
    assert_eq!(b.read(regs::ICR) & regs::icr::RXT0, regs::icr::RXT0);
    assert_eq!(b.read(regs::RDH), 1);
    assert_eq!(b.read(regs::GPRC), 1);
    assert!(!b.nic.irq(), "ICR read clears the cause and drops the line");
}

#[test]
fn one_frame_transmitted_from_host_memory() {
    let mut b = Bench::new();
    let ring = b.alloc(8 * 16, 4096);
    let buf = b.alloc(2048, 2048);
    let f = frame(100);
    b.mem_write(buf, &f);
    let d = TxDesc { addr: buf, length: 100, cmd: tx_cmd::EOP | tx_cmd::IFCS | tx_cmd::RS, ..Default::default() };
    b.mem_write(ring, &d.to_bytes());
    b.write(regs::TDBAL, ring as u32);
    b.write(regs::TDBAH, (ring >> 32) as u32);
    b.write(regs::TDLEN, 8 * 16);
    b.write(regs::IMS, regs::icr::TXDW);
    b.write(regs::TCTL, regs::TCTL_EN | regs::TCTL_PSP);
    b.write(regs::TDT, 1);
    for _ in 0..2000 {
        b.step();
        if b.nic.irq() {
            break;
        }
    }
    b.run(100);
    let sent = b.dec.pop().expect("a frame on the wire");
    assert!(sent.is_good(), "{sent:?}");
    assert_eq!(sent.bytes, f);
    let back = TxDesc::from_bytes(&b.mem_read(ring, 16).try_into().unwrap());
    assert_eq!(back.status & tx_status::DD, tx_status::DD);
    assert!(b.nic.irq());
    assert_eq!(b.read(regs::TDH), 1);
    assert_eq!(b.read(regs::GPTC), 1);
}

#[test]
fn axi_error_responses_reach_vn_axierr() {
    let mut b = Bench::new();
    assert_eq!(b.read(regs::VN_AXIERR), 0, "no error responses after reset");
    // An RX ring in unmapped host memory: every descriptor fetch gets DECERR.
    b.write(regs::RDBAL, 0x7000_0000);
    b.write(regs::RDBAH, 0x7F);
    b.write(regs::RDLEN, 8 * 16);
    b.write(regs::RDT, 4);
    b.write(regs::RCTL, regs::RCTL_EN);
    b.run(200);
    b.write(regs::RCTL, 0);
    b.run(200);
    let v = b.read(regs::VN_AXIERR);
    assert_ne!(v & regs::AXIERR_COUNT_MASK, 0, "error beats counted: {v:#x}");
    assert_eq!(v & !regs::AXIERR_COUNT_MASK, regs::AXIERR_R_DECERR, "only RRESP DECERR seen: {v:#x}");
    assert!(b.nic.memory().stats().decerr > 0, "the memory model answered DECERR");
    assert_eq!(b.read(regs::VN_AXIERR), 0, "clear on read");
}
