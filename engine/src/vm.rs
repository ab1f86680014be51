//! Lua VMs: creation behind the [`VmFactory`] seam, serial numbers, limits and execution.
//!
//! Every VM is fresh and sandboxed ([`crate::sandbox`]), numbered from a process-wide
//! counter, counted in the live-VM gauge while alive, limited in memory
//! (`set_memory_limit`) and in time by an instruction-count hook that checks a deadline and
//! a cancellation flag. No watchdog threads: TEA spawns one per Lua call and never joins it.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::{Duration, Instant};

use mlua::{Function, HookTriggers, Lua, VmState};
use serde_json::Value;

use crate::sync::counters::{LiveVmGuard, next_vm_serial};
use crate::workflow::Chunk;

/// How often (in Lua instructions) the hook checks the deadline and cancellation.
const HOOK_EVERY: u32 = 1000;
/// Longest single sleep inside `sleep_ms`, so cancellation and deadlines stay responsive.
const SLEEP_SLICE: Duration = Duration::from_millis(2);

/// What a new VM needs to know.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct VmSpec<'a> {
    /// Seed for `math.random` (already mixed with the branch index).
    pub seed: u64,
    /// `set_memory_limit`, in bytes.
    pub memory_limit: usize,
    /// `(name, 1-based index)` inside a branch; `None` on the main path.
    pub branch: Option<(&'a str, usize)>,
    /// The runtime's sleep (a scheduling point under model checkers).
    pub sleep: fn(Duration),
    /// Whether `sleep` really waits (false under shuttle and loom).
    pub real_time: bool,
}

impl VmSpec<'_> {
    /// A main-path VM on real threads, for tools and benches outside the engine (the
    /// struct is non-exhaustive); set `branch` afterwards for a branch VM.
    pub fn new(seed: u64, memory_limit: usize) -> Self {
        VmSpec {
            seed,
            memory_limit,
            branch: None,
            sleep: <crate::sync::StdRuntime as crate::sync::Runtime>::sleep,
            real_time: true,
        }
    }
}

/// The seam where VMs are made. The engine's own is [`SandboxFactory`]; mutation tests plug
/// in deliberately broken ones (a VM reused across branches, say) to prove the harness
/// catches them. Called on the thread that will use the VM.
pub trait VmFactory: Sync {
    /// Creates (or, in a broken factory, hands out) a VM.
    fn create(&self, spec: &VmSpec<'_>) -> Result<Vm, Fault>;
}

/// The real factory: a fresh sandboxed VM every time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxFactory;

impl VmFactory for SandboxFactory {
    fn create(&self, spec: &VmSpec<'_>) -> Result<Vm, Fault> {
        Vm::new(spec)
    }
}

/// Why a VM trip-wire fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trip {
    Timeout,
    Cancelled,
}

/// A failure inside a VM, before the engine adds the node and branch.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// Lua error, with Lua's message and line.
    Lua(String),
    /// The deadline passed.
    Timeout,
    /// The memory limit was hit.
    Memory,
    /// Cancelled (fail_fast).
    Cancelled,
    /// The node returned something other than a table or nil.
    BadReturn(String),
}

/// Per-VM trip-wires, shared by the hook, `sleep_ms` and the `pcall` wrapper.
#[derive(Default)]
struct Control {
    deadline: Cell<Option<Instant>>,
    tripped: Cell<Option<Trip>>,
    cancel: RefCell<Option<Rc<dyn Fn() -> bool>>>,
}

impl Control {
    /// Checks cancellation and the deadline; records and returns a trip.
    fn check(&self, now: impl FnOnce() -> Instant) -> Option<Trip> {
        if let Some(trip) = self.tripped.get() {
            return Some(trip);
        }
        let trip = if self.cancel.borrow().as_ref().is_some_and(|c| c()) {
            Some(Trip::Cancelled)
        } else if self.deadline.get().is_some_and(|d| now() >= d) {
            Some(Trip::Timeout)
        } else {
            None
        };
        self.tripped.set(trip);
        trip
    }
}

/// A Lua VM with its serial number. Cloning shares the same VM (only broken factories do
/// that); the engine itself creates one per run path and per branch.
#[derive(Clone)]
pub struct Vm {
    inner: Rc<VmInner>,
}

struct VmInner {
    // Field order matters: the Lua state is dropped before the live-VM guard.
    lua: Lua,
    serial: u64,
    control: Rc<Control>,
    functions: RefCell<HashMap<u64, Function>>,
    _live: LiveVmGuard,
}

impl std::fmt::Debug for Vm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vm")
            .field("serial", &self.inner.serial)
            .finish_non_exhaustive()
    }
}

impl Vm {
    /// A fresh sandboxed VM.
    pub fn new(spec: &VmSpec<'_>) -> Result<Vm, Fault> {
        let control = Rc::new(Control::default());
        let (sleep, real_time) = (spec.sleep, spec.real_time);
        let host = |lua: &Lua| {
            let c = control.clone();
            let tripped = lua.create_function(move |_, ()| Ok(c.tripped.get().is_some()))?;
            let c = control.clone();
            let sleep_ms =
                lua.create_function(move |_, ms: f64| host_sleep(&c, ms, sleep, real_time))?;
            Ok((tripped, sleep_ms))
        };
        let lua = crate::sandbox::new_sandbox(spec.seed, spec.branch, host)
            .map_err(|e| Fault::Lua(message(&e)))?;
        let c = control.clone();
        lua.set_hook(
            HookTriggers::new().every_nth_instruction(HOOK_EVERY),
            move |_, _| match c.check(Instant::now) {
                None => Ok(VmState::Continue),
                Some(trip) => Err(trip_error(trip)),
            },
        )
        .map_err(|e| Fault::Lua(message(&e)))?;
        lua.set_memory_limit(spec.memory_limit)
            .map_err(|e| Fault::Lua(message(&e)))?;
        Ok(Vm {
            inner: Rc::new(VmInner {
                lua,
                serial: next_vm_serial(),
                control,
                functions: RefCell::new(HashMap::new()),
                _live: LiveVmGuard::new(),
            }),
        })
    }

    /// This VM's process-unique serial number.
    pub fn serial(&self) -> u64 {
        self.inner.serial
    }

    /// The Lua state, for host code and tests.
    pub fn lua(&self) -> &Lua {
        &self.inner.lua
    }

    /// Bytes the VM uses now.
    pub fn used_memory(&self) -> usize {
        self.inner.lua.used_memory()
    }

    /// Installs (or removes) the cancellation check the hook polls.
    pub fn set_cancel(&self, cancel: Option<Rc<dyn Fn() -> bool>>) {
        *self.inner.control.cancel.borrow_mut() = cancel;
    }

    /// Runs `chunk` with a copy of `state` as the global `state` (plus `parallel_results`
    /// for a fan-in) within `budget`, and returns what it returned: `Some(object)` for a
    /// table, `None` for nil.
    pub fn run_node(
        &self,
        chunk: &Chunk,
        state: &Value,
        parallel_results: Option<&Value>,
        budget: Duration,
    ) -> Result<Option<Value>, Fault> {
        let lua = &self.inner.lua;
        let ret: mlua::Value = self.guarded(budget, || {
            let table = crate::convert::to_lua(lua, state)?;
            if let (Some(results), mlua::Value::Table(t)) = (parallel_results, &table) {
                t.raw_set(
                    "parallel_results",
                    crate::convert::results_to_lua(lua, results)?,
                )?;
            }
            lua.globals().raw_set("state", table)?;
            self.function(chunk)?.call(())
        })?;
        match ret {
            mlua::Value::Nil => Ok(None),
            value @ mlua::Value::Table(_) => match crate::convert::from_lua(lua, value) {
                Ok(v @ Value::Object(_)) => Ok(Some(v)),
                Ok(Value::Array(a)) if a.is_empty() => Ok(Some(Value::Object(Default::default()))),
                Ok(_) => Err(Fault::BadReturn(
                    "an array (return a table with string keys)".into(),
                )),
                Err(e) => Err(Fault::BadReturn(format!(
                    "a table with no JSON form ({})",
                    message(&e)
                ))),
            },
            other => Err(Fault::BadReturn(
                match other.type_name() {
                    "integer" | "number" => "a number",
                    "string" => "a string",
                    "boolean" => "a boolean",
                    "function" => "a function",
                    "thread" => "a coroutine",
                    _ => "userdata",
                }
                .to_string(),
            )),
        }
    }

    /// Evaluates a condition chunk (`return (expr)`) against `state`: Lua truthiness.
    pub fn eval_condition(
        &self,
        chunk: &Chunk,
        state: &Value,
        budget: Duration,
    ) -> Result<bool, Fault> {
        let lua = &self.inner.lua;
        let value: mlua::Value = self.guarded(budget, || {
            lua.globals()
                .raw_set("state", crate::convert::to_lua(lua, state)?)?;
            self.function(chunk)?.call(())
        })?;
        Ok(!matches!(
            value,
            mlua::Value::Nil | mlua::Value::Boolean(false)
        ))
    }

    /// Runs a chunk with the globals as they are and returns its result's Lua truthiness.
    pub fn eval_chunk(&self, chunk: &Chunk, budget: Duration) -> Result<bool, Fault> {
        let value: mlua::Value = self.guarded(budget, || self.function(chunk)?.call(()))?;
        Ok(!matches!(
            value,
            mlua::Value::Nil | mlua::Value::Boolean(false)
        ))
    }

    /// The chunk's function in this VM, loading its bytecode on first use.
    fn function(&self, chunk: &Chunk) -> mlua::Result<Function> {
        if let Some(f) = self.inner.functions.borrow().get(&chunk.id) {
            return Ok(f.clone());
        }
        let f = self
            .inner
            .lua
            .load(&chunk.bytecode[..])
            .set_mode(mlua::chunk::ChunkMode::Binary)
            .set_name(&chunk.name)
            .into_function()?;
        self.inner
            .functions
            .borrow_mut()
            .insert(chunk.id, f.clone());
        Ok(f)
    }

    /// Runs `f` with a fresh deadline and turns any error into a [`Fault`].
    fn guarded<T>(
        &self,
        budget: Duration,
        f: impl FnOnce() -> mlua::Result<T>,
    ) -> Result<T, Fault> {
        let control = &self.inner.control;
        control.tripped.set(None);
        control.deadline.set(Some(Instant::now() + budget));
        let result = f();
        control.deadline.set(None);
        // A trip is final even if Lua code somehow returned normally after it.
        match (control.tripped.take(), result) {
            (Some(Trip::Timeout), _) => Err(Fault::Timeout),
            (Some(Trip::Cancelled), _) => Err(Fault::Cancelled),
            (None, Ok(v)) => Ok(v),
            (None, Err(e)) if is_memory(&e) => Err(Fault::Memory),
            (None, Err(e)) => Err(Fault::Lua(message(&e))),
        }
    }
}

fn trip_error(trip: Trip) -> mlua::Error {
    mlua::Error::runtime(match trip {
        Trip::Timeout => "branchproof: the node ran past its time budget",
        Trip::Cancelled => "branchproof: the branch was cancelled",
    })
}

/// `sleep_ms(n)`: sleeps through the runtime seam, in slices, honouring the deadline and
/// cancellation. Under model checkers (no real time) it is one scheduling point.
fn host_sleep(
    control: &Control,
    ms: f64,
    sleep: fn(Duration),
    real_time: bool,
) -> mlua::Result<()> {
    if !ms.is_finite() || ms < 0.0 {
        return Err(mlua::Error::runtime(
            "sleep_ms: expected a non-negative number of milliseconds",
        ));
    }
    let wanted = Duration::from_secs_f64(ms.min(1e9) / 1000.0);
    if !real_time {
        sleep(wanted);
        return match control.check(Instant::now) {
            Some(trip) => Err(trip_error(trip)),
            None => Ok(()),
        };
    }
    let until = Instant::now() + wanted;
    loop {
        if let Some(trip) = control.check(Instant::now) {
            return Err(trip_error(trip));
        }
        let now = Instant::now();
        if now >= until {
            return Ok(());
        }
        let mut slice = (until - now).min(SLEEP_SLICE);
        if let Some(deadline) = control.deadline.get() {
            slice = slice.min(deadline.saturating_duration_since(now) + Duration::from_micros(50));
        }
        sleep(slice);
    }
}

fn is_memory(e: &mlua::Error) -> bool {
    match e {
        mlua::Error::MemoryError(_) => true,
        mlua::Error::CallbackError { cause, .. } => is_memory(cause),
        mlua::Error::WithContext { cause, .. } => is_memory(cause),
        mlua::Error::RuntimeError(m) => m.contains("not enough memory"),
        _ => false,
    }
}

/// Lua's message without mlua's traceback.
pub(crate) fn message(e: &mlua::Error) -> String {
    let text = match e {
        mlua::Error::RuntimeError(m) => m.clone(),
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::CallbackError { cause, .. } => return message(cause),
        mlua::Error::WithContext { cause, .. } => return message(cause),
        other => other.to_string(),
    };
    let text = match text.find("\nstack traceback:") {
        Some(at) => &text[..at],
        None => &text,
    };
    without_addresses(text)
}

/// Lua shows a table, function, userdata or thread as `table: 0x55d0c3a1b2c0` (an error
/// object that is a table reads like that). An address differs from run to run, and no
/// engine output may: a soak would call a deterministic scenario flaky. It becomes
/// `table value`.
fn without_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(": 0x") {
        let hex = rest[at + 4..]
            .bytes()
            .take_while(u8::is_ascii_hexdigit)
            .count();
        let word_start = rest[..at]
            .rfind(|c: char| !c.is_ascii_alphabetic())
            .map_or(0, |i| i + 1);
        let end = at + 4 + hex;
        if hex > 0
            && matches!(
                &rest[word_start..at],
                "table" | "function" | "userdata" | "thread" | "builtin"
            )
        {
            out.push_str(&rest[..at]);
            out.push_str(" value");
        } else {
            out.push_str(&rest[..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
