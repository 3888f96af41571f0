//! Per-descriptor ownership, followed from the NIC's trace alone: "no
//! descriptor used twice" (docs/nic.md, "Misprogramming"; the 8254x
//! manual's rule for RDH/RDT and TDH/TDT, sections 3.2.6 and 3.4).
//!
//! The driver gives the device the slots from the tail it last wrote up to
//! (not including) the tail it writes now, modulo the ring; the device owns
//! them until it writes them back, in ring order from its head. So the device
//! owns one run of slots, `[head, head + owned)`, and:
//!
//! - RX: every slot is written back, in order: a write-back must be at the
//!   head, of a slot the device owns, once (then the slot is the driver's);
//! - TX: only descriptors with RS are written back (the driver sets RS on a
//!   frame's last one): a write-back of slot `i` must lie in the owned run and
//!   gives back every slot from the head to `i`;
//! - a tail at or beyond the ring's end is ignored (the device's documented
//!   answer), a tail that would give a slot the device still owns is the
//!   driver's fault (counted in [`Ownership::driver_faults`], and the ring is
//!   no longer followed until a reset).
//!
//! The model is rebuilt from zero when a CTRL.RST completes (the first CTRL
//! read with RST clear after the RST write: write-backs already on the bus
//! before the reset may still land until then). Enabling a ring from reset
//! gives it the slots `[0, tail)`. A ring base moved while enabled keeps the
//! slots (the device writes fetched descriptors back at the old base, later
//! ones at the new); a ring length changed while enabled, or a ring disabled
//! and enabled again without a reset, is not followed until the next reset
//! (the device's fetch pointer is then its own business: counted in
//! [`Ownership::unfollowed`]); so is a ring whose registers were written
//! between the RST write and its completion (before or after the device's
//! reset, the trace cannot tell).
//!
//! Inputs are only register writes and reads and DMA write-backs as
//! recorded in the trace (`Event::RegWrite`, `RegRead`, `DmaWrite` IDs 1 and
//! 2), never the driver's or the device's own state.

use verinic_driver::regs;
use verinic_sim::bus::axi::resp;
use verinic_sim::trace::{Event, Record};

/// Bytes per descriptor.
const DESC: u64 = 16;

/// Which ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Receive: every descriptor written back.
    Rx,
    /// Transmit: RS descriptors written back.
    Tx,
}

/// One ring as the registers and the traffic say.
#[derive(Debug, Clone)]
pub struct RingModel {
    dir: Dir,
    /// The base now and bases used since the ring was enabled (newest last).
    bases: Vec<u64>,
    bal: u32,
    bah: u32,
    /// Descriptors (RDLEN bits 16:7, in 16-byte units).
    size: u64,
    tail: u64,
    enabled: bool,
    /// Enabled once since reset (a second enable is not followed).
    was_enabled: bool,
    /// Still followed.
    synced: bool,
    head: u64,
    owned: u64,
    /// Write-backs checked against the ownership.
    pub writebacks_checked: u64,
    /// Slots given by tail writes.
    pub slots_given: u64,
}

impl RingModel {
    fn new(dir: Dir) -> Self {
        RingModel {
            dir,
            bases: vec![0],
            bal: 0,
            bah: 0,
            size: 0,
            tail: 0,
            enabled: false,
            was_enabled: false,
            synced: true,
            head: 0,
            owned: 0,
            writebacks_checked: 0,
            slots_given: 0,
        }
    }

    fn base(&self) -> u64 {
        (u64::from(self.bah) << 32) | u64::from(self.bal)
    }

    fn set_base(&mut self) {
        let base = self.base();
        if self.enabled {
            self.bases.retain(|&b| b != base);
            self.bases.push(base);
        } else {
            self.bases = vec![base];
        }
    }

    /// The slot a write-back at `addr` names, by the newest base that holds it.
    fn slot(&self, addr: u64) -> Option<u64> {
        self.bases.iter().rev().find_map(|&b| {
            let off = addr.checked_sub(b)?;
            (off % DESC == 0 && off / DESC < self.size).then_some(off / DESC)
        })
    }

    fn state(&self) -> String {
        format!(
            "{:?} ring: bases {:x?}, {} descriptors, tail {}, device owns {} from head {}, enabled {}, followed {}",
            self.dir, self.bases, self.size, self.tail, self.owned, self.head, self.enabled, self.synced
        )
    }
}

/// The ownership of every RX and TX descriptor slot; see the module docs.
#[derive(Debug, Clone)]
pub struct Ownership {
    /// RX and TX.
    pub rings: [RingModel; 2],
    reset_pending: bool,
    /// A ring register was written while the reset was pending: whether the
    /// device took it before or after its reset is unknown.
    written_while_resetting: bool,
    /// Tail writes that gave a slot the device still owned (a driver bug or
    /// a hostile driver).
    pub driver_faults: u64,
    /// Write-backs while a ring was not followed.
    pub unfollowed: u64,
}

impl Default for Ownership {
    fn default() -> Self {
        Self::new()
    }
}

impl Ownership {
    /// Both rings as after reset: nothing given.
    pub fn new() -> Self {
        Ownership {
            rings: [RingModel::new(Dir::Rx), RingModel::new(Dir::Tx)],
            reset_pending: false,
            written_while_resetting: false,
            driver_faults: 0,
            unfollowed: 0,
        }
    }

    /// Write-backs checked, both rings.
    pub fn checked(&self) -> u64 {
        self.rings.iter().map(|r| r.writebacks_checked).sum()
    }

    /// Follows one trace record; a device write-back that breaks ownership is
    /// an error naming the cycle, the slot and the ring state.
    pub fn observe(&mut self, rec: &Record) -> Result<(), String> {
        match &rec.event {
            Event::RegWrite { addr, value, resp: r } if *r == resp::OKAY => self.reg_write(*addr, *value),
            // the reset is complete: CTRL reads RST clear after the RST write
            Event::RegRead { addr, value, resp: r }
                if *r == resp::OKAY && *addr == regs::CTRL && self.reset_pending && value & regs::CTRL_RST == 0 =>
            {
                let confused = self.written_while_resetting;
                let faults = (self.driver_faults, self.unfollowed);
                let old = self.rings.clone();
                *self = Ownership::new();
                (self.driver_faults, self.unfollowed) = faults;
                for (r, old) in self.rings.iter_mut().zip(old) {
                    r.writebacks_checked = old.writebacks_checked;
                    r.slots_given = old.slots_given;
                    r.synced = !confused;
                }
            }
            Event::DmaWrite { id, addr, len, .. } if *id == 1 || *id == 2 => {
                let ring = &mut self.rings[usize::from(*id - 1)];
                if !ring.synced {
                    self.unfollowed += 1;
                    return Ok(());
                }
                for k in 0..len.div_ceil(DESC) {
                    let at = addr + k * DESC;
                    let Some(slot) = ring.slot(at) else {
                        return Err(format!(
                            "cycle {}: write-back at {at:#x} is in no slot of the ring; {}",
                            rec.cycle,
                            ring.state()
                        ));
                    };
                    let ahead = (slot + ring.size - ring.head) % ring.size.max(1);
                    let ok = match ring.dir {
                        Dir::Rx => ring.owned > 0 && ahead == 0,
                        Dir::Tx => ahead < ring.owned,
                    };
                    if !ok {
                        return Err(format!(
                            "cycle {}: device wrote back {:?} slot {slot} (at {at:#x}) it does not own \
                             (not given since its last write-back); {}",
                            rec.cycle,
                            ring.dir,
                            ring.state()
                        ));
                    }
                    ring.head = (slot + 1) % ring.size;
                    ring.owned -= ahead + 1;
                    ring.writebacks_checked += 1;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn reg_write(&mut self, addr: u32, value: u32) {
        if addr == regs::CTRL && value & regs::CTRL_RST != 0 {
            self.reset_pending = true;
            return;
        }
        let (i, field) = match addr {
            regs::RDBAL => (0, 0),
            regs::RDBAH => (0, 1),
            regs::RDLEN => (0, 2),
            regs::RDT => (0, 3),
            regs::RCTL => (0, 4),
            regs::TDBAL => (1, 0),
            regs::TDBAH => (1, 1),
            regs::TDLEN => (1, 2),
            regs::TDT => (1, 3),
            regs::TCTL => (1, 4),
            _ => return,
        };
        self.written_while_resetting |= self.reset_pending;
        let ring = &mut self.rings[i];
        match field {
            0 => {
                ring.bal = value & !0xF;
                ring.set_base();
            }
            1 => {
                ring.bah = value;
                ring.set_base();
            }
            2 => {
                // whole 128-byte blocks; the ring size is bits 16:4 (docs/nic.md)
                let size = u64::from((value & 0x1_FF80) >> 4);
                if ring.enabled && size != ring.size {
                    ring.synced = false;
                }
                ring.size = size;
            }
            3 => {
                let t = u64::from(value & 0xFFFF);
                if t >= ring.size {
                    return; // ignored by the device
                }
                if ring.enabled && ring.synced {
                    let given = (t + ring.size - ring.tail) % ring.size;
                    if ring.owned + given >= ring.size && given > 0 {
                        self.driver_faults += 1;
                        ring.synced = false;
                    } else {
                        ring.owned += given;
                        ring.slots_given += given;
                    }
                }
                ring.tail = t;
            }
            _ => {
                let en = value & if i == 0 { regs::RCTL_EN } else { regs::TCTL_EN } != 0;
                if en && !ring.enabled {
                    if ring.was_enabled {
                        ring.synced = false;
                    } else {
                        ring.head = 0;
                        ring.owned = if ring.tail < ring.size { ring.tail } else { 0 };
                        ring.slots_given += ring.owned;
                    }
                    ring.was_enabled = true;
                }
                ring.enabled = en;
            }
        }
    }
}
