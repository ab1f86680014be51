//! The binary worker processes run, and their command line: this one, by `/proc/self/exe` on Linux, so a harness
//! rebuilt (or deleted) during a long run still starts the workers of the binary that is
//! running; a library user (a test) may name another.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use super::plan::Plan;
use crate::iteration::knobs::HashSeed;
use crate::mutants::Mutant;
use crate::scenario::Scenario;

static WORKER_EXE: OnceLock<PathBuf> = OnceLock::new();

/// Makes workers run `exe` (a `harness` binary) instead of this process's own binary: for
/// library users, whose own binary is not the harness. The first call wins.
pub fn set_worker_exe(exe: impl Into<PathBuf>) {
    let _ = WORKER_EXE.set(exe.into());
}

/// The binary to start workers from.
pub fn worker_exe() -> std::io::Result<PathBuf> {
    if let Some(exe) = WORKER_EXE.get() {
        return Ok(exe.clone());
    }
    let own = PathBuf::from("/proc/self/exe");
    if own.exists() {
        return Ok(own);
    }
    std::env::current_exe()
}

/// `harness __worker --scenario FILE --scenario-hash H --run-seed S [--chaos L] --parent PID`,
/// in a process group of its own (a Ctrl-C at the terminal reaches the supervisor, which
/// decides, and never a worker that has not yet set up its signal handling).
pub fn worker_command(scenario: &Scenario, plan: &Plan) -> std::io::Result<Command> {
    let mut cmd = Command::new(worker_exe()?);
    // `ps` shows the harness, not `/proc/self/exe`.
    if let Ok(own) = std::env::current_exe() {
        std::os::unix::process::CommandExt::arg0(&mut cmd, own);
    }
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    cmd.arg("__worker")
        .arg("--scenario")
        .arg(&scenario.file)
        .arg("--root")
        .arg(&scenario.root)
        .arg("--scenario-hash")
        .arg(format!("{:016x}", scenario.content_hash))
        .arg("--run-seed")
        .arg(plan.run_seed.to_string())
        .arg("--parent")
        .arg(std::process::id().to_string());
    if let Some(chaos) = plan.overrides.chaos {
        cmd.arg("--chaos").arg(chaos.as_str());
    }
    if plan.overrides.hash_seed == HashSeed::Fixed {
        cmd.arg("--hash-seed").arg("fixed");
    }
    if plan.overrides.mutant != Mutant::None {
        cmd.arg("--mutant").arg(plan.overrides.mutant.name());
    }
    if let Some(workers) = plan.overrides.workers {
        cmd.arg("--workers").arg(workers.to_string());
    }
    if let Some(explore) = &plan.explore {
        explore.worker_args(&mut cmd);
    }
    Ok(cmd)
}
