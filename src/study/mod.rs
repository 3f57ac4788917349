//! Studies (docs/design.md §1, §5): the contributions study and the induced ground-force analysis.

pub mod contributions;
pub mod induced;
pub mod limits;
pub mod plateau;
pub mod strength_mix;
