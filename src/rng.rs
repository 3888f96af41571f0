//! The seeded generator (SplitMix64) of scenarios: the simulation crate's,
//! so that traffic and testbenches draw from one definition.

pub use verinic_sim::rng::Rng;
