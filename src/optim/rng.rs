//! The optimisers' generator lives in [`crate::rng`], below every layer (the sweep's Latin hypercube draws from
//! the same splitmix64).

pub use crate::rng::Rng;
