//! The C library's loops, bounded: `string.rep`, `table.concat`, `table.move`,
//! `table.insert`, `table.remove` and `table.sort` as the sandbox gives them.
//!
//! These loops run in C, where the instruction hook never fires: `string.rep('', 1e15)`
//! loops a quadrillion times copying nothing, `table.concat` or `table.move` over a range of
//! elements that are not there reads nils for ever, and a `__len` that lies makes
//! `table.insert`, `table.remove` and `table.sort` walk billions of elements through
//! metamethods. Each wrapper is a light C function (no per-VM memory) that checks its
//! arguments and then calls Lua's own function on the same stack, so results and error
//! messages are Lua's, positions included:
//!
//! * `string.rep`: an empty result returns at once; a result the memory limit cannot hold
//!   is refused as running out of memory, before anything is copied;
//! * `table.concat`, `table.move`: a range more than [`SLACK`] elements beyond what the table
//!   holds is refused (a float bound counts, `1e15` is an integer to Lua); `concat` asks
//!   `__len` once and hands Lua the bounds it checked;
//! * `table.insert`, `table.remove`, `table.sort` on a table with a metatable: `__len` is
//!   asked once (a length more than [`SLACK`] beyond what the table holds is refused, as a
//!   range is), and the loop runs here, checking the deadline every [`CHECK_EVERY`] elements
//!   (`sort` sorts a plain copy); a C comparator is called through a closure that checks it.
//!   On a plain table Lua's own loop is over elements that exist.
//!
//! Left to the hard deadline: Lua's pattern matcher, whose backtracking no cheap check bounds.

use std::ffi::c_int;
use std::sync::OnceLock;

use mlua::{Lua, ffi};

use super::control::{control, poll, raise};
use crate::sync::Runtime;

/// How far past the elements a table holds a `concat` or `move` range may reach.
pub(crate) const SLACK: i64 = 65536;
/// The engine's own loops check the deadline this often (elements).
const CHECK_EVERY: i64 = 1024;

/// Lua's own functions, the same in every state of the process.
#[derive(Clone, Copy)]
struct Natives {
    rep: ffi::lua_CFunction,
    concat: ffi::lua_CFunction,
    move_: ffi::lua_CFunction,
    insert: ffi::lua_CFunction,
    remove: ffi::lua_CFunction,
    sort: ffi::lua_CFunction,
}

static NATIVES: OnceLock<Natives> = OnceLock::new();

fn natives() -> &'static Natives {
    NATIVES
        .get()
        .expect("the C-library wrappers run only in states they were installed in")
}

/// Replaces the library functions with their bounded wrappers in a fresh sandbox.
pub(crate) fn install<R: Runtime>(lua: &Lua) -> mlua::Result<()> {
    // SAFETY: the raw state mlua hands over, with LUA_MINSTACK free slots; every push is
    // popped before returning. The library tables exist: the sandbox loads both.
    unsafe {
        lua.exec_raw::<()>((), |l| {
            let field = |table: &std::ffi::CStr, name: &std::ffi::CStr| -> ffi::lua_CFunction {
                ffi::lua_getglobal(l, table.as_ptr());
                ffi::lua_getfield(l, -1, name.as_ptr());
                let f = ffi::lua_tocfunction(l, -1).expect("a C library function");
                ffi::lua_pop(l, 2);
                f
            };
            NATIVES.get_or_init(|| Natives {
                rep: field(c"string", c"rep"),
                concat: field(c"table", c"concat"),
                move_: field(c"table", c"move"),
                insert: field(c"table", c"insert"),
                remove: field(c"table", c"remove"),
                sort: field(c"table", c"sort"),
            });
            let set = |table: &std::ffi::CStr, name: &std::ffi::CStr, f: ffi::lua_CFunction| {
                ffi::lua_getglobal(l, table.as_ptr());
                ffi::lua_pushcfunction(l, f);
                ffi::lua_setfield(l, -2, name.as_ptr());
                ffi::lua_pop(l, 1);
            };
            set(c"string", c"rep", rep);
            set(c"table", c"concat", concat);
            set(c"table", c"move", move_);
            set(c"table", c"insert", insert::<R>);
            set(c"table", c"remove", remove::<R>);
            set(c"table", c"sort", sort::<R>);
        })
    }
}

/// Argument `arg` as an integer, when Lua would take it as one (`luaL_checkinteger`).
unsafe fn integer(l: *mut ffi::lua_State, arg: c_int) -> Option<i64> {
    let mut isnum = 0;
    // SAFETY: reading a stack slot of a live state.
    let n = unsafe { ffi::lua_tointegerx(l, arg, &mut isnum) };
    (isnum != 0).then_some(n)
}

/// Whether argument `arg` is a string or a number (what `luaL_checklstring` takes).
unsafe fn stringish(l: *mut ffi::lua_State, arg: c_int) -> bool {
    // SAFETY: reading a stack slot's type.
    matches!(
        unsafe { ffi::lua_type(l, arg) },
        ffi::LUA_TSTRING | ffi::LUA_TNUMBER
    )
}

/// A plain table (no metatable) at `arg`: Lua's own loops over it touch real elements.
unsafe fn plain_table(l: *mut ffi::lua_State, arg: c_int) -> bool {
    // SAFETY: reading a stack slot; `lua_getmetatable` pushes only when it returns 1.
    unsafe {
        if ffi::lua_type(l, arg) != ffi::LUA_TTABLE {
            return false;
        }
        if ffi::lua_getmetatable(l, arg) != 0 {
            ffi::lua_pop(l, 1);
            return false;
        }
        true
    }
}

/// Refuses a loop over `elements` elements of the table at `arg`, when that is more than
/// [`SLACK`] beyond what it holds.
unsafe fn refuse_far_range(
    l: *mut ffi::lua_State,
    arg: c_int,
    elements: i128,
    what: &std::ffi::CStr,
) {
    // SAFETY: reading a stack slot; `luaL_error` raises with Lua's position of the caller.
    unsafe {
        let held = if ffi::lua_type(l, arg) == ffi::LUA_TTABLE {
            ffi::lua_rawlen(l, arg) as i128
        } else {
            0
        };
        if elements - held > SLACK as i128 {
            let shown = elements.min(i64::MAX as i128) as i64;
            ffi::luaL_error(
                l,
                c"%s: refusing a loop over %I elements the table does not hold".as_ptr(),
                what.as_ptr(),
                shown,
            );
        }
    }
}

/// `string.rep(s, n [, sep])`.
unsafe extern "C-unwind" fn rep(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by Lua as a C function; no Rust value with a destructor lives here.
    unsafe {
        if let Some(n) = integer(l, 2)
            && n > 1
            && stringish(l, 1)
            && (ffi::lua_isnoneornil(l, 3) != 0 || stringish(l, 3))
        {
            let (mut len, mut sep) = (0usize, 0usize);
            ffi::lua_tolstring(l, 1, &mut len);
            if ffi::lua_isnoneornil(l, 3) == 0 {
                ffi::lua_tolstring(l, 3, &mut sep);
            }
            let unit = (len + sep) as f64;
            if unit == 0.0 {
                ffi::lua_pushlstring(l, c"".as_ptr(), 0);
                return 1;
            }
            // Lua allocates the whole result and then copies it once more; refuse what the
            // limit cannot hold, as the allocation would (uncatchably). Sizes Lua itself
            // calls too large keep Lua's own message.
            let size = unit * n as f64;
            let limit = control(l).map_or(usize::MAX, |c| c.memory_limit.get()) as f64;
            if size > limit / 2.0 && size < 2f64.powi(53) {
                ffi::lua_pushstring(l, c"not enough memory".as_ptr());
                ffi::lua_error(l);
            }
        }
        (natives().rep)(l)
    }
}

/// `table.concat(t [, sep [, i [, j]]])`.
unsafe extern "C-unwind" fn concat(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by Lua as a C function; no Rust value with a destructor lives here.
    unsafe {
        if ffi::lua_type(l, 1) == ffi::LUA_TTABLE {
            let i = if ffi::lua_isnoneornil(l, 3) != 0 {
                Some(1)
            } else {
                integer(l, 3)
            };
            let j = if ffi::lua_isnoneornil(l, 4) != 0 {
                Some(ffi::luaL_len(l, 1))
            } else {
                integer(l, 4)
            };
            if let (Some(i), Some(j)) = (i, j) {
                // Hand Lua the bounds checked here: it must not ask `__len` again.
                ffi::lua_settop(l, 2);
                ffi::lua_pushinteger(l, i);
                ffi::lua_pushinteger(l, j);
                if j >= i {
                    refuse_far_range(l, 1, j as i128 - i as i128 + 1, c"table.concat");
                }
            }
        }
        (natives().concat)(l)
    }
}

/// `table.move(a1, f, e, t [, a2])`.
unsafe extern "C-unwind" fn move_(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by Lua as a C function; no Rust value with a destructor lives here.
    unsafe {
        if let (Some(f), Some(e)) = (integer(l, 2), integer(l, 3))
            && e >= f
        {
            refuse_far_range(l, 1, e as i128 - f as i128 + 1, c"table.move");
        }
        (natives().move_)(l)
    }
}

/// Every [`CHECK_EVERY`] elements of an engine loop: stops it if the VM tripped.
#[inline]
unsafe fn checkpoint<R: Runtime>(l: *mut ffi::lua_State, step: i64) {
    if step % CHECK_EVERY != 0 {
        return;
    }
    // SAFETY: called from the engine's C functions on a live state.
    unsafe {
        if let Some(control) = control(l)
            && let Some(trip) = poll::<R>(control)
        {
            raise::<R>(l, trip);
        }
    }
}

/// `table.insert(t, [pos,] v)`.
unsafe extern "C-unwind" fn insert<R: Runtime>(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by Lua as a C function; no Rust value with a destructor lives here.
    unsafe {
        if plain_table(l, 1) || ffi::lua_type(l, 1) != ffi::LUA_TTABLE {
            return (natives().insert)(l);
        }
        // A table with a metatable: `__len` once, then the shift here, checked.
        let len = ffi::luaL_len(l, 1);
        refuse_far_range(l, 1, len as i128, c"table.insert");
        let end = len.wrapping_add(1);
        let pos = match ffi::lua_gettop(l) {
            2 => end,
            3 => {
                let pos = ffi::luaL_checkinteger(l, 2);
                if (pos as u64).wrapping_sub(1) >= end as u64 {
                    ffi::luaL_argerror(l, 2, c"position out of bounds".as_ptr());
                }
                let mut i = end;
                while i > pos {
                    ffi::lua_geti(l, 1, i - 1);
                    ffi::lua_seti(l, 1, i);
                    i -= 1;
                    checkpoint::<R>(l, end - i);
                }
                pos
            }
            _ => ffi::luaL_error(l, c"wrong number of arguments to 'insert'".as_ptr()) as i64,
        };
        ffi::lua_seti(l, 1, pos);
        0
    }
}

/// `table.remove(t [, pos])`.
unsafe extern "C-unwind" fn remove<R: Runtime>(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by Lua as a C function; no Rust value with a destructor lives here.
    unsafe {
        if plain_table(l, 1) || ffi::lua_type(l, 1) != ffi::LUA_TTABLE {
            return (natives().remove)(l);
        }
        let size = ffi::luaL_len(l, 1);
        refuse_far_range(l, 1, size as i128, c"table.remove");
        let mut pos = ffi::luaL_optinteger(l, 2, size);
        if pos != size && (pos as u64).wrapping_sub(1) > size as u64 {
            ffi::luaL_argerror(l, 2, c"position out of bounds".as_ptr());
        }
        ffi::lua_geti(l, 1, pos);
        let start = pos;
        while pos < size {
            ffi::lua_geti(l, 1, pos + 1);
            ffi::lua_seti(l, 1, pos);
            pos += 1;
            checkpoint::<R>(l, pos - start);
        }
        ffi::lua_pushnil(l);
        ffi::lua_seti(l, 1, pos);
        1
    }
}

/// A C comparator, called from a closure that checks the deadline (its only upvalue is
/// the comparator).
unsafe extern "C-unwind" fn checked_compare<R: Runtime>(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by Lua with the two values to compare; one upvalue.
    unsafe {
        if let Some(control) = control(l) {
            let calls = control.calls.get().wrapping_add(1);
            control.calls.set(calls);
            checkpoint::<R>(l, calls as i64);
        }
        ffi::lua_pushvalue(l, ffi::lua_upvalueindex(1));
        ffi::lua_insert(l, 1);
        ffi::lua_call(l, 2, 1);
        1
    }
}

/// `table.sort(t [, comp])`.
unsafe extern "C-unwind" fn sort<R: Runtime>(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by Lua as a C function; no Rust value with a destructor lives here.
    unsafe {
        if ffi::lua_iscfunction(l, 2) != 0 {
            // A C comparator would make the whole sort C: call it through a checked closure.
            ffi::lua_pushvalue(l, 2);
            ffi::lua_pushcclosure(l, checked_compare::<R>, 1);
            ffi::lua_replace(l, 2);
        }
        if plain_table(l, 1) || ffi::lua_type(l, 1) != ffi::LUA_TTABLE {
            return (natives().sort)(l);
        }
        // A table with a metatable: `__len` once, and a plain copy sorted, checked both ways.
        let n = ffi::luaL_len(l, 1);
        refuse_far_range(l, 1, n as i128, c"table.sort");
        if n < 2 {
            return 0;
        }
        ffi::lua_settop(l, 2);
        let size = n.min(c_int::MAX as i64) as c_int;
        ffi::lua_createtable(l, size, 0);
        for i in 1..=n {
            ffi::lua_geti(l, 1, i);
            ffi::lua_seti(l, 3, i);
            checkpoint::<R>(l, i);
        }
        ffi::lua_pushcfunction(l, natives().sort);
        ffi::lua_pushvalue(l, 3);
        ffi::lua_pushvalue(l, 2);
        ffi::lua_call(l, 2, 0);
        for i in 1..=n {
            ffi::lua_geti(l, 3, i);
            ffi::lua_seti(l, 1, i);
            checkpoint::<R>(l, i);
        }
        0
    }
}
