//! Studies built on the optimiser: the contributions study (DESIGN.md §1, §5).

pub mod contributions;
