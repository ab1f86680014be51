//! Lua VMs: creation behind the [`VmFactory`] seam, serial numbers, limits and execution.
//!
//! Every VM is fresh and sandboxed ([`super::sandbox`]), numbered from a process-wide
//! counter, counted in the live-VM gauge while alive, limited in memory
//! (`set_memory_limit`) and in time by an instruction-count hook that checks a deadline and
//! a cancellation flag (on real threads on Linux the hook is only set once the thread's
//! timer says the deadline came, [`super::alarm`]). No watchdog threads: TEA spawns one per
//! Lua call and never joins it.
//! A VM reads time only through its runtime `R` ([`Runtime::now`]), so the same VM keeps
//! virtual time under shuttle and loom.

use std::cell::RefCell;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::panic::resume_unwind;
use std::rc::Rc;
use std::time::Duration;

use mlua::{Function, Lua};
use serde_json::Value;

use super::chunk::Chunk;
use super::control::{Control, Trip, trip_error};
use super::message::{is_memory, message};
use crate::fan_in::BranchEntry;
use crate::sync::Runtime;
use crate::sync::counters::{Alive, next_vm_serial};

/// Longest single real sleep inside `sleep_ms`, so cancellation stays responsive.
const SLEEP_SLICE: Duration = Duration::from_millis(2);
/// Under virtual time, each hook check charges this fraction of the node's budget to the
/// worker's clock: a spin loop times out after about this many checks.
const CHECKS_PER_BUDGET: u32 = 100;
/// A node that comes back more than this much past its deadline (or its whole budget past
/// it, when that is longer) ran where the hook could not stop it (a long C call): it is a
/// timeout, with how long it took. Less is ordinary descheduling and stays a success.
pub const OVERRUN_TOLERANCE: Duration = Duration::from_millis(250);
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
    /// The fan-out worker that asks for it (0 is the caller's thread); `None` on the main
    /// path. A worker runs one branch at a time.
    pub worker: Option<usize>,
    /// Lua's string-hash seed, which decides the order `pairs()` visits string keys in.
    pub hash_seed: u32,
}

impl VmSpec<'_> {
    /// A main-path VM; set `branch` and `worker` afterwards for a branch VM.
    pub fn new(seed: u64, memory_limit: usize) -> Self {
        VmSpec {
            seed,
            memory_limit,
            branch: None,
            worker: None,
            hash_seed: super::seed::fold(seed),
        }
    }
}

/// One node execution's time budget: what the thread that runs the node may be charged
/// (its CPU time plus the sleeps it asked for, [`Runtime::charged`]) before the node must
/// stop. Wall time the host takes from the thread (descheduled, stopped, paging) is never
/// charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The deadline, on the charged clock of the thread that runs the node.
    pub deadline: Duration,
    /// When the budget was made, on that clock.
    pub start: Duration,
    /// Wall time ([`Runtime::now`]) before which that clock cannot reach the deadline (it
    /// never runs ahead of wall time): until then checks need not read it.
    pub wall_due: Duration,
    /// The node's whole budget; under virtual time each hook check charges a fraction of it.
    pub length: Duration,
}

impl Budget {
    /// A budget of `length` starting now, on the calling thread's charged clock (call it
    /// on the thread that runs the node).
    pub fn after<R: Runtime>(length: Duration) -> Budget {
        // Wall first: charged time read after it can only be later, so `wall_due` errs
        // early.
        let wall = R::now();
        let start = R::charged();
        Budget {
            deadline: start.saturating_add(length),
            start,
            wall_due: wall.saturating_add(length),
            length,
        }
    }
}

/// The seam where VMs are made. The engine's own is [`SandboxFactory`]; mutation tests plug
/// in deliberately broken ones (a VM reused across branches, say) to prove the harness
/// catches them. Called on the thread (or model-checker task) that will use the VM.
pub trait VmFactory<R: Runtime>: Sync {
    /// Creates (or, in a broken factory, hands out) a VM.
    fn create(&self, spec: &VmSpec<'_>) -> Result<Vm<R>, Fault>;
}

/// The real factory: a fresh sandboxed VM every time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxFactory;

impl<R: Runtime> VmFactory<R> for SandboxFactory {
    fn create(&self, spec: &VmSpec<'_>) -> Result<Vm<R>, Fault> {
        Vm::new(spec)
    }
}

/// A failure inside a VM, before the engine adds the node and branch.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// Lua error, with Lua's message and line.
    Lua(String),
    /// The deadline passed.
    Timeout,
    /// The node came back long after its deadline (more than [`OVERRUN_TOLERANCE`], or its
    /// budget if longer), from code the hook could not stop; it took this long.
    Overran(Duration),
    /// The memory limit was hit.
    Memory,
    /// Cancelled (fail_fast).
    Cancelled,
    /// The node returned something other than a table or nil.
    BadReturn(String),
}

/// A Lua VM with its serial number, keeping time through runtime `R`. Cloning shares the
/// same VM (only broken factories do that); the engine itself creates one per run path and
/// per branch.
pub struct Vm<R: Runtime> {
    inner: Rc<VmInner>,
    _runtime: PhantomData<fn() -> R>,
}

impl<R: Runtime> Clone for Vm<R> {
    fn clone(&self) -> Self {
        Vm {
            inner: self.inner.clone(),
            _runtime: PhantomData,
        }
    }
}

struct VmInner {
    /// The read-only `branch` table, in a branch.
    branch: Option<mlua::Table>,
    // Field order matters: the Lua state is dropped before the live-VM guard.
    lua: Lua,
    serial: u64,
    control: Rc<Control>,
    functions: RefCell<HashMap<u64, Function>>,
    _live: Alive,
}

impl<R: Runtime> std::fmt::Debug for Vm<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vm")
            .field("serial", &self.inner.serial)
            .field("runtime", &R::NAME)
            .finish_non_exhaustive()
    }
}

impl<R: Runtime> Vm<R> {
    /// A fresh sandboxed VM.
    pub fn new(spec: &VmSpec<'_>) -> Result<Vm<R>, Fault> {
        let control = Rc::new(Control::default());
        let host = |lua: &Lua| {
            let c = control.clone();
            lua.create_function(move |_, ms: f64| host_sleep::<R>(&c, ms))
        };
        let (lua, branch) =
            super::sandbox::new_sandbox(spec.seed, spec.hash_seed, spec.branch, host)
                .map_err(|e| Fault::Lua(message(&e)))?;
        control.memory_limit.set(spec.memory_limit);
        super::control::install::<R>(&lua, &control)
            .and_then(|()| super::clib::install::<R>(&lua))
            .map_err(|e| Fault::Lua(message(&e)))?;
        lua.set_memory_limit(spec.memory_limit)
            .map_err(|e| Fault::Lua(message(&e)))?;
        Ok(Vm {
            inner: Rc::new(VmInner {
                branch,
                lua,
                serial: next_vm_serial(),
                control,
                functions: RefCell::new(HashMap::new()),
                _live: Alive::vm(),
            }),
            _runtime: PhantomData,
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
        parallel_results: Option<&[BranchEntry]>,
        budget: Budget,
    ) -> Result<Option<Value>, Fault> {
        let lua = &self.inner.lua;
        let ret: mlua::Value = self.guarded(budget, || {
            let table = super::convert::to_lua(lua, state)?;
            if let (Some(results), mlua::Value::Table(t)) = (parallel_results, &table) {
                t.raw_set(
                    "parallel_results",
                    super::convert::entries_to_lua(lua, results)?,
                )?;
            }
            let globals = lua.globals();
            globals.raw_set("state", table)?;
            if let Some(branch) = &self.inner.branch {
                globals.raw_set("branch", branch)?;
            }
            self.function(chunk)?.call(())
        })?;
        match ret {
            mlua::Value::Nil => Ok(None),
            value @ mlua::Value::Table(_) => match super::convert::state_from_lua(lua, value) {
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

    /// Runs a chunk with the globals as they are and returns its result's Lua truthiness.
    pub fn eval_chunk(&self, chunk: &Chunk, budget: Budget) -> Result<bool, Fault> {
        let value: mlua::Value = self.guarded(budget, || self.function(chunk)?.call(()))?;
        Ok(truthy(&value))
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

    /// Runs `f` under `budget` and turns any error into a [`Fault`].
    fn guarded<T>(&self, budget: Budget, f: impl FnOnce() -> mlua::Result<T>) -> Result<T, Fault> {
        let control = &self.inner.control;
        control.tripped.set(None);
        control.out_of_memory.set(false);
        control.deadline.set(Some(budget.deadline));
        control.wall_due.set(budget.wall_due);
        control
            .quantum
            .set((budget.length / CHECKS_PER_BUDGET).max(Duration::from_micros(1)));
        let armed = super::control::start_node::<R>(control, budget.deadline);
        let result = f();
        drop(armed);
        control.deadline.set(None);
        if let Some(payload) = control.panic.take() {
            resume_unwind(payload);
        }
        // A trip is final even if Lua code somehow returned normally after it.
        match (control.tripped.take(), result) {
            (Some(Trip::Timeout), _) => Err(Fault::Timeout),
            (Some(Trip::Cancelled), _) => Err(Fault::Cancelled),
            (None, result) => match (overran::<R>(&budget), result) {
                (Some(used), _) => Err(Fault::Overran(used)),
                (None, Ok(v)) => Ok(v),
                (None, Err(e)) if control.out_of_memory.take() || is_memory(&e) => {
                    Err(Fault::Memory)
                }
                (None, Err(e)) => Err(Fault::Lua(message(&e))),
            },
        }
    }
}

/// What a node that came back long past its budget was charged: more than
/// [`OVERRUN_TOLERANCE`] (or its whole budget, when longer) past its deadline means it ran
/// where the hook could not stop it (a long C call). `None` otherwise. The wall clock is
/// read first; the charged one only when wall time says the overrun could be there.
fn overran<R: Runtime>(budget: &Budget) -> Option<Duration> {
    let slack = OVERRUN_TOLERANCE.max(budget.length);
    if R::now() <= budget.wall_due.saturating_add(slack) {
        return None;
    }
    let charged = R::charged();
    (charged > budget.deadline.saturating_add(slack)).then(|| charged - budget.start)
}

fn truthy(value: &mlua::Value) -> bool {
    !matches!(value, mlua::Value::Nil | mlua::Value::Boolean(false))
}

/// `sleep_ms(n)`: sleeps through the runtime seam, which charges the node exactly what it
/// slept (never the wall time a busy host added), honouring the budget and cancellation. On
/// real threads it sleeps in slices (so a cancellation is seen within one); under virtual
/// time it moves the worker's clock in one step. A sleep past the budget sleeps what is left
/// of it and times out.
fn host_sleep<R: Runtime>(control: &Control, ms: f64) -> mlua::Result<()> {
    if !ms.is_finite() || ms < 0.0 {
        return Err(mlua::Error::runtime(format!(
            "sleep_ms: expected a non-negative number of milliseconds, got {ms} (it must be finite)"
        )));
    }
    let until = R::charged().saturating_add(Duration::from_secs_f64(ms.min(1e12) / 1000.0));
    loop {
        if let Some(trip) = control.check::<R>() {
            return Err(trip_error(trip));
        }
        let now = R::charged();
        if now >= until {
            break;
        }
        let mut slice = until - now;
        if R::REAL_TIME {
            slice = slice.min(SLEEP_SLICE);
        }
        if let Some(deadline) = control.deadline.get() {
            // Wake with the budget spent exactly, so the check above trips.
            slice = slice.min(deadline.saturating_sub(now).max(Duration::from_nanos(1)));
        }
        R::sleep(slice);
    }
    // The sleep moved the node's deadline on the CPU clock its timer runs on.
    if control.timed.get()
        && let Some(deadline) = control.deadline.get()
        && !super::alarm::rearm(deadline)
    {
        super::control::poll_from_here::<R>(control);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::sync::StdRuntime;

    #[test]
    #[cfg(target_os = "linux")]
    fn on_real_threads_budgets_are_kept_by_an_alarm_and_still_stop_a_loop() {
        if std::env::var_os("BRANCHPROOF_BUDGET").is_some() {
            return; // the count-hook pass of `.ci/run`
        }
        let vm = Vm::<StdRuntime>::new(&VmSpec::new(1, 1 << 24)).expect("a VM");
        assert!(vm.inner.control.alarm.get(), "the alarm path is not in use");
        let spin = Chunk::new("=spin", "while true do end").unwrap();
        let budget = Budget::after::<StdRuntime>(Duration::from_millis(30));
        let fault = vm.run_node(&spin, &Value::Null, None, budget).unwrap_err();
        assert_eq!(fault, Fault::Timeout);
        // No hook is left on the state between nodes.
        let state = vm.inner.control.target.state.get().unwrap().as_ptr();
        let quick = Chunk::new("=quick", "return { n = 1 }").unwrap();
        vm.run_node(
            &quick,
            &Value::Null,
            None,
            Budget::after::<StdRuntime>(Duration::from_secs(5)),
        )
        .unwrap();
        // SAFETY: the VM's own state, on its thread, between nodes.
        assert_eq!(
            unsafe { mlua::ffi::lua_gethookmask(state) },
            0,
            "a hook was left on"
        );
    }

    #[test]
    #[cfg(target_os = "linux")]
    // A plain thread the test can abandon if the node never stops (the seam's workers are
    // joined, which would hang the test instead of failing it).
    #[allow(clippy::disallowed_methods)]
    fn an_alarm_that_fires_right_after_it_is_armed_still_stops_the_node() {
        if !super::super::alarm::available() {
            return; // the count-hook pass of `.ci/run`
        }
        // What a thread descheduled just after arming its timer goes through (a busy host):
        // the 2 ms budget's signal comes before the node starts. That hook must survive.
        fn descheduled() {
            <StdRuntime as crate::sync::Runtime>::sleep(Duration::from_millis(30));
        }
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            super::super::control::AFTER_ARM.with(|a| a.set(Some(descheduled)));
            let vm = Vm::<StdRuntime>::new(&VmSpec::new(1, 1 << 24)).expect("a VM");
            let spin = Chunk::new("=spin", "while true do end").unwrap();
            let budget = Budget::after::<StdRuntime>(Duration::from_millis(2));
            let _ = tx.send(vm.run_node(&spin, &Value::Null, None, budget).unwrap_err());
        });
        // A lost signal leaves the loop spinning for ever: the test fails instead of hanging.
        let fault = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the spin was never stopped: the alarm's hook was lost");
        assert_eq!(fault, Fault::Timeout);
    }

    /// Runs `first` (a quick node, when given) then a spin with budget `then` on one fresh
    /// thread, on one VM each, within one run (where timers stay set from node to node);
    /// `before_spin` runs on that thread in between. What the spin came back with, or `None`
    /// if it never stopped.
    #[cfg(target_os = "linux")]
    #[allow(clippy::disallowed_methods)]
    fn spin_after(first: Option<Duration>, before_spin: fn(), then: Duration) -> Option<Fault> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _run = super::super::alarm::RunScope::enter();
            if let Some(first) = first {
                let quick = Chunk::new("=quick", "return { n = 1 }").unwrap();
                let vm = Vm::<StdRuntime>::new(&VmSpec::new(1, 1 << 24)).expect("a VM");
                let budget = Budget::after::<StdRuntime>(first);
                vm.run_node(&quick, &Value::Null, None, budget).unwrap();
            }
            before_spin();
            let vm = Vm::<StdRuntime>::new(&VmSpec::new(2, 1 << 24)).expect("a VM");
            let spin = Chunk::new("=spin", "while true do end").unwrap();
            let budget = Budget::after::<StdRuntime>(then);
            let _ = tx.send(vm.run_node(&spin, &Value::Null, None, budget).unwrap_err());
        });
        rx.recv_timeout(Duration::from_secs(60)).ok()
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_timer_left_set_for_a_later_deadline_is_set_again_for_the_next_nodes_earlier_one() {
        if !super::super::alarm::available() {
            return; // the count-hook pass of `.ci/run`
        }
        // The quick node leaves its timer set 60 s out; the spin's 20 ms budget must not
        // wait for it.
        let fault = spin_after(
            Some(Duration::from_secs(60)),
            || {},
            Duration::from_millis(20),
        );
        assert_eq!(fault, Some(Fault::Timeout), "the spin was never stopped");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_timer_left_set_for_an_earlier_deadline_is_set_again_when_it_fires() {
        if !super::super::alarm::available() {
            return; // the count-hook pass of `.ci/run`
        }
        // The quick node leaves its timer set 10 ms out, and the spin keeps it (it fires
        // before the spin's deadline): when it fires, the hook finds the deadline not come
        // and must set the timer again, or the spin runs for ever.
        let fault = spin_after(
            Some(Duration::from_millis(10)),
            || {},
            Duration::from_millis(150),
        );
        assert_eq!(fault, Some(Fault::Timeout), "the spin was never stopped");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_run_leaves_no_timer_set_on_its_thread() {
        if !super::super::alarm::available() {
            return; // the count-hook pass of `.ci/run`
        }
        let wf = crate::Workflow::from_yaml(
            "name: one\nnodes:\n  - name: a\n    run: return { n = 1 }\nedges:\n  - { from: a, to: __end__ }\n",
            None,
        )
        .expect("the workflow loads");
        let vm = Vm::<StdRuntime>::new(&VmSpec::new(1, 1 << 24)).expect("a VM");
        let quick = Chunk::new("=quick", "return { n = 1 }").unwrap();
        let node = || {
            vm.run_node(
                &quick,
                &Value::Null,
                None,
                Budget::after::<StdRuntime>(Duration::from_secs(60)),
            )
            .unwrap()
        };
        // Within a run the timer stays set from node to node...
        let run = super::super::alarm::RunScope::enter();
        node();
        assert!(
            super::super::alarm::pending().is_some(),
            "a node's end inside a run leaves its timer set"
        );
        drop(run);
        // ... and the run's end disarms it; a node on its own disarms it when it ends.
        assert_eq!(super::super::alarm::pending(), None, "the run's end");
        node();
        assert_eq!(super::super::alarm::pending(), None, "a node on its own");
        let run = wf.run(Value::Null, &crate::RunOptions::seeded(1));
        assert!(run.result.is_ok(), "{:?}", run.result);
        assert_eq!(
            super::super::alarm::pending(),
            None,
            "the run left a signal to come on its caller's thread"
        );
        let predicate = crate::Predicate::compile("true", "test", None, None).expect("compiles");
        assert_eq!(predicate.eval(&[]), Ok(true));
        assert_eq!(super::super::alarm::pending(), None, "a predicate");
    }

    /// `nanosleep` is never restarted after a signal: `true` when one came during `d`.
    #[cfg(target_os = "linux")]
    fn a_signal_came_during(d: Duration) -> bool {
        let ts = libc::timespec {
            tv_sec: d.as_secs() as libc::time_t,
            tv_nsec: d.subsec_nanos() as libc::c_long,
        };
        // SAFETY: a plain sleep.
        let r = unsafe { libc::nanosleep(&ts, std::ptr::null_mut()) };
        r == -1 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR)
    }

    #[test]
    #[cfg(target_os = "linux")]
    #[allow(clippy::disallowed_methods)]
    fn no_signal_comes_after_a_run_ends_even_right_at_its_last_deadline() {
        if !super::super::alarm::available() {
            return; // the count-hook pass of `.ci/run`
        }
        // The kernel's signal comes a little after the expiry it was set for: a run that
        // ends just past its last node's deadline must still disarm.
        std::thread::spawn(|| {
            let vm = Vm::<StdRuntime>::new(&VmSpec::new(1, 1 << 24)).expect("a VM");
            let quick = Chunk::new("=quick", "return { n = 1 }").unwrap();
            let mut late = 0;
            for _ in 0..50 {
                let run = super::super::alarm::RunScope::enter();
                let budget = Budget::after::<StdRuntime>(Duration::from_millis(2));
                vm.run_node(&quick, &Value::Null, None, budget).unwrap();
                while StdRuntime::charged() < budget.deadline {}
                drop(run);
                late += usize::from(a_signal_came_during(Duration::from_millis(3)));
            }
            assert_eq!(late, 0, "signals came after {late} of 50 runs had ended");
        })
        .join()
        .expect("no signal came after a run");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_node_whose_thread_cannot_set_a_timer_still_times_out() {
        if !super::super::alarm::available() {
            return; // the count-hook pass of `.ci/run`
        }
        // A timer left set by an earlier node fires during the spin; setting it again then
        // fails (as when the kernel refuses): the node must poll, not spin for ever.
        let fail = super::super::alarm::fail_timers_on_this_thread;
        let fault = spin_after(
            Some(Duration::from_millis(10)),
            fail,
            Duration::from_millis(150),
        );
        assert_eq!(fault, Some(Fault::Timeout), "the spin was never stopped");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_node_on_a_thread_with_no_timer_at_all_times_out() {
        if !super::super::alarm::available() {
            return; // the count-hook pass of `.ci/run`
        }
        let fail = super::super::alarm::fail_timers_on_this_thread;
        let fault = spin_after(None, fail, Duration::from_millis(50));
        assert_eq!(fault, Some(Fault::Timeout), "the spin was never stopped");
    }

    #[test]
    #[cfg(target_os = "linux")]
    #[allow(clippy::disallowed_methods)]
    fn a_node_on_a_thread_that_blocks_the_alarm_signal_still_times_out() {
        if !super::super::alarm::available() {
            return; // the count-hook pass of `.ci/run`
        }
        // A host thread may block signals it does not expect: the timer's signal would then
        // stay pending for ever, and so would the spin.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // SAFETY: blocking one signal on this thread.
            unsafe {
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, super::super::alarm::signal());
                libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            }
            let vm = Vm::<StdRuntime>::new(&VmSpec::new(1, 1 << 24)).expect("a VM");
            let spin = Chunk::new("=spin", "while true do end").unwrap();
            let budget = Budget::after::<StdRuntime>(Duration::from_millis(50));
            let _ = tx.send(vm.run_node(&spin, &Value::Null, None, budget).unwrap_err());
        });
        let fault = rx.recv_timeout(Duration::from_secs(20));
        assert_eq!(fault, Ok(Fault::Timeout), "the spin was never stopped");
    }

    #[test]
    #[cfg(target_os = "linux")]
    #[allow(clippy::disallowed_methods)]
    fn a_run_disarms_its_timer_even_after_a_stray_signal_cleared_the_record() {
        if !super::super::alarm::available() {
            return; // the count-hook pass of `.ci/run`
        }
        // The handler forgets the recorded expiry whenever the signal comes, also when it
        // is not the timer's (or comes between the record and `timer_settime`): the run's
        // end must still disarm the timer it set.
        std::thread::spawn(|| {
            let run = super::super::alarm::RunScope::enter();
            let vm = Vm::<StdRuntime>::new(&VmSpec::new(1, 1 << 24)).expect("a VM");
            let quick = Chunk::new("=quick", "return { n = 1 }").unwrap();
            let budget = Budget::after::<StdRuntime>(Duration::from_secs(60));
            vm.run_node(&quick, &Value::Null, None, budget).unwrap();
            // SAFETY: signalling this very thread with the alarm signal.
            unsafe { libc::pthread_kill(libc::pthread_self(), super::super::alarm::signal()) };
            drop(run);
            assert_eq!(
                super::super::alarm::pending(),
                None,
                "the run left its timer set"
            );
        })
        .join()
        .expect("the run left no timer");
    }

    /// Waits up to 20 s for child `pid`: its exit code, or `None` (killed) if it hangs.
    #[cfg(target_os = "linux")]
    #[allow(clippy::disallowed_methods)]
    pub(crate) fn wait_for_child(pid: libc::pid_t) -> Option<i32> {
        for _ in 0..2000 {
            let mut status = 0;
            // SAFETY: waiting for our own child.
            if unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } == pid {
                return libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        // SAFETY: killing and reaping our own hung child.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
        None
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_child_made_by_fork_between_nodes_still_stops_a_spin() {
        if !super::super::alarm::available() {
            return; // the count-hook pass of `.ci/run`
        }
        // The parent's timer, set by a node inside a run, is not inherited: the child must
        // not count on it.
        let _run = super::super::alarm::RunScope::enter();
        let vm = Vm::<StdRuntime>::new(&VmSpec::new(1, 1 << 24)).expect("a VM");
        let quick = Chunk::new("=quick", "return { n = 1 }").unwrap();
        let first = Budget::after::<StdRuntime>(Duration::from_millis(300));
        vm.run_node(&quick, &Value::Null, None, first).unwrap();
        // SAFETY: the child only runs a node and exits.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            let spin = Chunk::new("=spin", "while true do end").unwrap();
            let budget = Budget::after::<StdRuntime>(Duration::from_millis(500));
            let fault = vm.run_node(&spin, &Value::Null, None, budget);
            // SAFETY: leaving the child at once.
            unsafe { libc::_exit(i32::from(fault != Err(Fault::Timeout))) };
        }
        assert_eq!(
            wait_for_child(pid),
            Some(0),
            "the child's spin was not stopped"
        );
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_stray_alarm_signal_changes_nothing() {
        if !super::super::alarm::available() {
            return; // the count-hook pass of `.ci/run`: nobody handles the signal
        }
        let vm = Vm::<StdRuntime>::new(&VmSpec::new(1, 1 << 24)).expect("a VM");
        let signal = super::super::alarm::signal();
        let poke = vm
            .lua()
            .create_function(move |_, ()| {
                // SAFETY: signalling this very thread with the alarm signal.
                unsafe { libc::pthread_kill(libc::pthread_self(), signal) };
                Ok(())
            })
            .unwrap();
        vm.lua().globals().set("poke", poke).unwrap();
        let chunk = Chunk::new(
            "=poked",
            "local n = 0\nfor i = 1, 20 do poke() for j = 1, 2000 do n = n + 1 end end\nreturn { n = n }",
        )
        .unwrap();
        let out = vm
            .run_node(
                &chunk,
                &Value::Null,
                None,
                Budget::after::<StdRuntime>(Duration::from_secs(5)),
            )
            .unwrap()
            .unwrap();
        assert_eq!(out["n"], 40000);
    }

    #[test]
    fn a_clone_of_the_lua_state_keeps_the_hook_s_control_alive() {
        let vm = Vm::<StdRuntime>::new(&VmSpec::new(1, 1 << 24)).expect("a VM");
        let control = Rc::downgrade(&vm.inner.control);
        let lua = vm.lua().clone();
        // What held the other references: the host functions.
        lua.load("sleep_ms, pcall, xpcall = nil, nil, nil")
            .exec()
            .unwrap();
        drop(vm);
        assert!(
            control.upgrade().is_some(),
            "the state no longer owns its control"
        );
        // The count hook reads it every 1,000 instructions.
        let n: i64 = lua
            .load("local n = 0 for i = 1, 20000 do n = n + 1 end return n")
            .eval()
            .unwrap();
        assert_eq!(n, 20000);
        drop(lua);
        assert!(control.upgrade().is_none(), "closing the state frees it");
    }
}
