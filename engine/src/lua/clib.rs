//! The C library's loops, bounded: `string.rep`, `table.concat`, `table.move`,
//! `table.insert`, `table.remove` and `table.sort` as the sandbox gives them.
//!
//! These loops run in C, where the instruction hook never fires: `string.rep('', 1e15)`
//! loops a quadrillion times copying nothing, `table.move` over a range of elements that are
//! not there moves nils for ever, and a `__len` that lies makes `table.concat`,
//! `table.insert`, `table.remove` and `table.sort` walk billions of elements through
//! metamethods. Each wrapper is a light C function (no per-VM memory) with Lua's own
//! semantics and messages; where a loop could run away it runs here, checking the deadline
//! every [`CHECK_EVERY`] elements, so it ends as a timeout at the node's budget, like a
//! Lua loop would. Nothing is refused that Lua would do:
//!
//! * `string.rep`: an empty result returns at once; a result the memory limit cannot hold
//!   is refused as running out of memory, before anything is copied;
//! * `table.move`: the loop runs here, always (Lua's `tmove`, checked);
//! * `table.concat`, `table.insert`, `table.remove`, `table.sort` on a table with a
//!   metatable: `__len` is asked once and the loop runs here (`concat` and `sort` work on a
//!   plain copy, made here, handed to Lua's own function). On a plain table Lua's own loop is
//!   over elements that exist (`concat` stops at the first that does not);
//! * a C comparator given to `sort` is called through a closure that checks the deadline.
//!
//! Left to the hard deadline: Lua's pattern matcher, whose backtracking no cheap check bounds.

use std::ffi::c_int;
use std::sync::OnceLock;

use mlua::{Lua, ffi};

use super::control::{control, poll, raise};
use crate::sync::Runtime;

/// The engine's own loops check the deadline this often (elements).
const CHECK_EVERY: i64 = 1024;
/// The key under which `sort`'s plain copy keeps the table it was copied from.
const ORIGINAL: &std::ffi::CStr = c"\x01original";
/// The most slots a plain copy is made with up front (it grows past that as Lua tables do).
const PREALLOCATE: i64 = 1 << 16;

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
            set(c"table", c"concat", concat::<R>);
            set(c"table", c"move", move_::<R>);
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
                // As the allocation would: uncatchable, and a memory fault.
                if let Some(c) = control(l) {
                    c.out_of_memory.set(true);
                }
                ffi::lua_pushstring(l, c"not enough memory".as_ptr());
                ffi::lua_error(l);
            }
        }
        (natives().rep)(l)
    }
}

/// `table.concat(t [, sep [, i [, j]]])`.
unsafe extern "C-unwind" fn concat<R: Runtime>(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by Lua as a C function; no Rust value with a destructor lives here.
    unsafe {
        if plain_table(l, 1) || ffi::lua_type(l, 1) != ffi::LUA_TTABLE {
            return (natives().concat)(l);
        }
        // A table with a metatable: the arguments checked here (Lua's messages, this
        // function's name), `__len` once, and the elements copied here, checked, until the
        // first one `concat` would refuse; Lua's own function joins the copy.
        ffi::luaL_optlstring(l, 2, c"".as_ptr(), std::ptr::null_mut());
        let i = ffi::luaL_optinteger(l, 3, 1);
        let j = if ffi::lua_isnoneornil(l, 4) != 0 {
            ffi::luaL_len(l, 1)
        } else {
            ffi::luaL_checkinteger(l, 4)
        };
        ffi::lua_settop(l, 2);
        let room = j.saturating_sub(i).saturating_add(1).clamp(0, PREALLOCATE) as c_int;
        ffi::lua_createtable(l, room, 0);
        let mut k = i;
        while k <= j {
            if stringish_at(l, 1, k) == 0 {
                break;
            }
            ffi::lua_seti(l, 3, k);
            checkpoint::<R>(l, k.wrapping_sub(i).wrapping_add(1));
            if k == i64::MAX {
                break;
            }
            k += 1;
        }
        // (copy, sep, i, j) for Lua's own function, called in this frame so that its
        // errors name `concat` and the caller's line, as Lua's do.
        ffi::lua_replace(l, 1);
        ffi::lua_pushinteger(l, i);
        ffi::lua_pushinteger(l, j);
        (natives().concat)(l)
    }
}

/// Pushes `t[k]` (the table at `arg`) and returns 1 when it is a string or a number; pops it
/// and returns 0 otherwise.
unsafe fn stringish_at(l: *mut ffi::lua_State, arg: c_int, k: i64) -> c_int {
    // SAFETY: one free slot on a live state; the value pushed is popped when not wanted.
    unsafe {
        ffi::lua_geti(l, arg, k);
        if stringish(l, -1) {
            1
        } else {
            ffi::lua_pop(l, 1);
            0
        }
    }
}

/// `table.move(a1, f, e, t [, a2])`: Lua's `tmove`, with the loop checked.
unsafe extern "C-unwind" fn move_<R: Runtime>(l: *mut ffi::lua_State) -> c_int {
    // SAFETY: called by Lua as a C function; no Rust value with a destructor lives here.
    unsafe {
        let f = ffi::luaL_checkinteger(l, 2);
        let e = ffi::luaL_checkinteger(l, 3);
        let t = ffi::luaL_checkinteger(l, 4);
        let tt = if ffi::lua_isnoneornil(l, 5) == 0 {
            5
        } else {
            1
        };
        if ffi::lua_type(l, 1) != ffi::LUA_TTABLE || ffi::lua_type(l, tt) != ffi::LUA_TTABLE {
            // Lua's own checks of what is not a table (a value with the right metamethods
            // is accepted there), and its loop: reached only by such values.
            return (natives().move_)(l);
        }
        if e >= f {
            if !(f > 0 || e < i64::MAX.wrapping_add(f)) {
                ffi::luaL_argerror(l, 3, c"too many elements to move".as_ptr());
            }
            let n = e - f + 1;
            if t > i64::MAX - n + 1 {
                ffi::luaL_argerror(l, 4, c"destination wrap around".as_ptr());
            }
            let forward =
                t > e || t > f || (tt != 1 && ffi::lua_compare(l, 1, tt, ffi::LUA_OPEQ) == 0);
            for step in 0..n {
                let i = if forward { step } else { n - 1 - step };
                ffi::lua_geti(l, 1, f + i);
                ffi::lua_seti(l, tt, t + i);
                checkpoint::<R>(l, step + 1);
            }
        }
        ffi::lua_pushvalue(l, tt);
        1
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
        // A table with a metatable: the comparator checked here (Lua's message, this
        // function's name), `__len` once, and a plain copy sorted, checked both ways.
        if ffi::lua_isnoneornil(l, 2) == 0 {
            ffi::luaL_checktype(l, 2, ffi::LUA_TFUNCTION);
        }
        let n = ffi::luaL_len(l, 1);
        if n < 2 {
            return 0;
        }
        if n >= c_int::MAX as i64 {
            ffi::luaL_argerror(l, 1, c"array too big".as_ptr());
        }
        ffi::lua_settop(l, 2);
        ffi::lua_createtable(l, n.min(PREALLOCATE) as c_int, 1);
        for i in 1..=n {
            ffi::lua_geti(l, 1, i);
            ffi::lua_seti(l, 3, i);
            checkpoint::<R>(l, i);
        }
        // Lua's own function sorts the copy in this frame (its errors name `sort` and the
        // caller's line, as Lua's do); it keeps only its two arguments on the stack, so the
        // copy carries the original under a key that sorting never reads.
        ffi::lua_pushvalue(l, 1);
        ffi::lua_setfield(l, 3, ORIGINAL.as_ptr());
        ffi::lua_replace(l, 1);
        (natives().sort)(l);
        ffi::lua_getfield(l, 1, ORIGINAL.as_ptr());
        for i in 1..=n {
            ffi::lua_geti(l, 1, i);
            ffi::lua_seti(l, -2, i);
            checkpoint::<R>(l, i);
        }
        0
    }
}
