//! Compile-time coverage: the generated module calls every endpoint of the
//! schema by name, so a missing or renamed endpoint fails to compile.

// Generated code is formatted by prettyplease, not rustfmt.
#[rustfmt::skip]
#[path = "generated/operations.rs"]
mod generated;
