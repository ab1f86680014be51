//! Lua's string-hash seed, from the run seed.
//!
//! Lua 5.4 seeds each state's string hashing from addresses and the clock
//! (`luai_makeseed` in `lstate.c`), so the order `pairs()` visits a table's string keys in
//! differed from one VM to the next, and no replay could reproduce an order-dependent
//! failure. `build.rs` compiles Lua with `luai_makeseed(L)` defined as `bp_lua_makeseed(L)`,
//! below, which hands `lua_newstate` the seed [`with_hash_seed`] set for this thread just
//! before the state is made. (A thread-local, set, used and reset within one synchronous
//! call: no scheduling point falls between, under shuttle or loom either.) Keys hashed by
//! address (tables, functions) stay outside any seed.

use std::cell::Cell;
use std::ffi::c_void;

thread_local! {
    /// The seed the next `lua_newstate` on this thread gets.
    static PENDING: Cell<Option<u32>> = const { Cell::new(None) };
    /// How many times Lua asked for a seed on this thread.
    static ASKED: Cell<u64> = const { Cell::new(0) };
}

/// The seed of a state made outside [`with_hash_seed`] (compilers): fixed, so reproducible.
pub(crate) const DEFAULT_HASH_SEED: u32 = 0x5EED_5EED;

/// Called by Lua's C code from `lua_newstate` (see `lua-patch/bp_lua.h`). It must not
/// unwind: `try_with` keeps it panic-free during thread teardown too.
#[unsafe(no_mangle)]
pub extern "C" fn bp_lua_makeseed(_state: *mut c_void) -> u32 {
    let _ = ASKED.try_with(|c| c.set(c.get() + 1));
    PENDING
        .try_with(Cell::get)
        .ok()
        .flatten()
        .unwrap_or(DEFAULT_HASH_SEED)
}

/// Runs `create`, which makes a Lua state, with `seed` as its string-hash seed. Panics,
/// loudly, when Lua never asked for it: the C side was then built without the hook, and
/// `pairs()` order would not follow the run seed.
pub(crate) fn with_hash_seed<T>(seed: u32, create: impl FnOnce() -> T) -> T {
    struct Restore(Option<u32>);
    impl Drop for Restore {
        fn drop(&mut self) {
            PENDING.set(self.0);
        }
    }
    let before = ASKED.with(Cell::get);
    let _restore = Restore(PENDING.replace(Some(seed)));
    let out = create();
    assert!(
        ASKED.with(Cell::get) > before,
        "branchproof: Lua was built without the string-hash seed hook (engine/build.rs, \
         lua-patch/bp_lua.h), so pairs() order does not follow the run seed; rebuild \
         the engine with its own build script (`cargo clean -p engine`)"
    );
    out
}

/// A VM's 32-bit hash seed from a 64-bit one (the two halves folded).
pub(crate) fn fold(seed: u64) -> u32 {
    (seed ^ (seed >> 32)) as u32
}
