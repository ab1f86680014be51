//! The base functions the sandbox changes, as light C functions: `pcall` and `xpcall` that
//! never catch a timeout, a cancellation or running out of memory, `setmetatable` without
//! `__gc`, `collectgarbage` that only counts, and a silent `print`.
//!
//! They were Lua closures in each VM's setup chunk; as C functions they cost no memory per
//! VM and no bytecode to load, a protected call no longer packs and unpacks its results,
//! and running out of memory is told by Lua's own status (`LUA_ERRMEM`) rather than by the
//! text of the message, which any `error("not enough memory")` could forge.

use std::ffi::c_int;
use std::sync::OnceLock;

use mlua::{Lua, ffi};

use super::control::control;

/// Lua's own `setmetatable` and `error`, and mlua's `pcall` (which rethrows a Rust panic
/// instead of catching it), the same in every state of the process.
static NATIVES: OnceLock<Natives> = OnceLock::new();

#[derive(Clone, Copy)]
struct Natives {
    setmetatable: ffi::lua_CFunction,
    error: ffi::lua_CFunction,
    panic_safe_pcall: ffi::lua_CFunction,
}

/// mlua's panic-safe `pcall`, which it puts in the globals of a state made without
/// catching Rust panics, before the base library replaces it. Call before loading base.
pub(crate) fn capture_panic_safe_pcall(lua: &Lua) -> mlua::Result<Option<ffi::lua_CFunction>> {
    let mut found = None;
    // SAFETY: the raw state, one push popped at once.
    unsafe {
        lua.exec_raw::<()>((), |l| {
            ffi::lua_getglobal(l, c"pcall".as_ptr());
            found = ffi::lua_tocfunction(l, -1);
            ffi::lua_pop(l, 1);
        })?;
    }
    Ok(found)
}

/// Puts the functions in the state's globals (after the base library is loaded).
/// `panic_safe_pcall` is what [`capture_panic_safe_pcall`] found.
pub(crate) fn install(lua: &Lua, panic_safe_pcall: Option<ffi::lua_CFunction>) -> mlua::Result<()> {
    // SAFETY: the raw state mlua hands over, with LUA_MINSTACK free slots; every push is
    // popped (set as a global) before returning. The base library is loaded.
    unsafe {
        lua.exec_raw::<()>((), |l| {
            let native = |name: &std::ffi::CStr| {
                ffi::lua_getglobal(l, name.as_ptr());
                let f = ffi::lua_tocfunction(l, -1).expect("a C library function");
                ffi::lua_pop(l, 1);
                f
            };
            NATIVES.get_or_init(|| Natives {
                setmetatable: native(c"setmetatable"),
                error: native(c"error"),
                panic_safe_pcall: panic_safe_pcall
                    .expect("mlua puts its panic-safe pcall in the globals"),
            });
            for (name, f) in [
                (c"pcall", pcall as ffi::lua_CFunction),
                (c"xpcall", xpcall),
                (c"setmetatable", setmetatable),
                (c"collectgarbage", collectgarbage),
                (c"print", print),
            ] {
                ffi::lua_pushcfunction(l, f);
                ffi::lua_setglobal(l, name.as_ptr());
            }
        })
    }
}

/// After a failed protected call (`status`, its error object on top): raises it again when
/// it must not be caught: the VM tripped (timeout, cancellation), ran out of memory, or a
/// Rust host function panicked (mlua's error object; mlua's own pcall rethrows panics and
/// hands back its other errors, so it decides).
///
/// # Safety
/// Called from one of these C functions, with nothing alive that has a destructor.
unsafe fn rethrow_uncatchable(l: *mut ffi::lua_State, status: c_int) {
    // SAFETY: a live state inside a C function.
    unsafe {
        let control = control(l);
        if status == ffi::LUA_ERRMEM {
            if let Some(c) = control {
                c.out_of_memory.set(true);
            }
            ffi::lua_error(l);
        }
        if control.is_some_and(|c| c.tripped.get().is_some() || c.out_of_memory.get()) {
            ffi::lua_error(l);
        }
        if ffi::lua_type(l, -1) == ffi::LUA_TUSERDATA && ffi::lua_checkstack(l, 3) != 0 {
            // mlua's pcall(error, object): a panic goes on up from there; anything else
            // comes back as (false, object), and the object stays where it was.
            let natives = NATIVES.get().expect("installed with the functions");
            ffi::lua_pushcfunction(l, natives.panic_safe_pcall);
            ffi::lua_pushcfunction(l, natives.error);
            ffi::lua_pushvalue(l, -3);
            ffi::lua_call(l, 2, 0);
        }
    }
}

/// `pcall(f, ...)`: Lua's own, less what must not be caught.
unsafe extern "C-unwind" fn pcall(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by Lua as a C function; no Rust value with a destructor lives here.
    unsafe {
        ffi::luaL_checkany(l, 1);
        ffi::lua_pushboolean(l, 1);
        ffi::lua_insert(l, 1);
        let status = ffi::lua_pcall(l, ffi::lua_gettop(l) - 2, ffi::LUA_MULTRET, 0);
        if status == ffi::LUA_OK {
            return ffi::lua_gettop(l);
        }
        rethrow_uncatchable(l, status);
        ffi::lua_pushboolean(l, 0);
        ffi::lua_pushvalue(l, -2);
        2
    }
}

/// `xpcall(f, handler, ...)`. Lua would run the handler inside the failed call, with hooks
/// off once a hook raised the error, so a looping handler would escape the time budget: the
/// handler runs after unwinding, protected, under the budget like any code.
unsafe extern "C-unwind" fn xpcall(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by Lua as a C function; no Rust value with a destructor lives here.
    unsafe {
        let n = ffi::lua_gettop(l);
        ffi::luaL_checktype(l, 2, ffi::LUA_TFUNCTION);
        // f, handler, args... -> f, handler, true, f, args...
        ffi::lua_pushboolean(l, 1);
        ffi::lua_pushvalue(l, 1);
        ffi::lua_rotate(l, 3, 2);
        let status = ffi::lua_pcall(l, n - 2, ffi::LUA_MULTRET, 0);
        if status == ffi::LUA_OK {
            return ffi::lua_gettop(l) - 2;
        }
        rethrow_uncatchable(l, status);
        // f, handler, err -> f, handler, false, handler, err
        let base = ffi::lua_gettop(l);
        ffi::lua_pushboolean(l, 0);
        ffi::lua_pushvalue(l, 2);
        ffi::lua_rotate(l, base, 2);
        let status = ffi::lua_pcall(l, 1, ffi::LUA_MULTRET, 0);
        if status != ffi::LUA_OK {
            rethrow_uncatchable(l, status);
        }
        // false, then what the handler returned (or the error it raised).
        ffi::lua_gettop(l) - base + 1
    }
}

/// `setmetatable(t, mt)`, refusing `__gc`: finalizers run with hooks off, and at close.
unsafe extern "C-unwind" fn setmetatable(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by Lua as a C function; no Rust value with a destructor lives here.
    unsafe {
        if ffi::lua_type(l, 2) == ffi::LUA_TTABLE {
            ffi::lua_pushstring(l, c"__gc".as_ptr());
            let kind = ffi::lua_rawget(l, 2);
            ffi::lua_pop(l, 1);
            if kind != ffi::LUA_TNIL {
                ffi::luaL_error(
                    l,
                    c"setmetatable: __gc metamethods are not allowed in the sandbox".as_ptr(),
                );
            }
        }
        let natives = NATIVES.get().expect("installed with the function");
        (natives.setmetatable)(l)
    }
}

/// `collectgarbage("count")`, and nothing else.
unsafe extern "C-unwind" fn collectgarbage(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by Lua as a C function; no Rust value with a destructor lives here.
    unsafe {
        let mut len = 0;
        let opt = ffi::lua_tolstring(l, 1, &mut len);
        if opt.is_null() || std::slice::from_raw_parts(opt.cast::<u8>(), len) != b"count" {
            ffi::luaL_error(
                l,
                c"collectgarbage: only \"count\" is allowed in the sandbox".as_ptr(),
            );
        }
        let kib = ffi::lua_gc(l, ffi::LUA_GCCOUNT) as f64
            + ffi::lua_gc(l, ffi::LUA_GCCOUNTB) as f64 / 1024.0;
        ffi::lua_pushnumber(l, kib);
        1
    }
}

/// `print(...)`: nothing; a node's output is its returned table.
unsafe extern "C-unwind" fn print(_: *mut ffi::lua_State) -> c_int {
    0
}
