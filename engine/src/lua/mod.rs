//! Lua: compiled chunks, the sandbox, VMs with their limits, state conversions and error text.

pub(crate) mod alarm;
pub(crate) mod base;
pub(crate) mod chunk;
pub(crate) mod clib;
pub(crate) mod control;
pub(crate) mod convert;
pub(crate) mod message;
pub(crate) mod plant;
pub(crate) mod sandbox;
pub(crate) mod seed;
pub(crate) mod vm;
