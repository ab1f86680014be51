//! `alarm-stress [NODES] [--minutes M] [--threads T]`: the budget alarm under stress (not a
//! timed test). T threads (default 2) each run one workflow over and over: a quick node,
//! then `while true do end` under a 1 ms budget, so the spin keeps the timer the quick node
//! left set (it fires early, and the budget hook sets it again: the path where an alarm was
//! once lost). It stops after NODES spins in all (default 100,000) or M minutes (default 10),
//! whichever comes first. Run it while other work holds every core (four `yes > /dev/null`).
//!
//! Every spin must time out, and come back before its hard deadline (5 s of wall time: a
//! watchdog thread looks every 100 ms). Prints one JSON line: spins, timeouts, anything
//! else, hangs, and the lateness past the 1 ms budget in the thread's CPU time and in wall
//! time (median, p99, worst), with the kernel's tick rate (CPU-clock timers expire on its ticks). Exit 1 if a spin did not time out or hung.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use engine::sync::ThreadCharge;
use engine::{ErrorKind, RunOptions, Workflow};
use serde_json::json;

const WORKFLOW: &str = "name: alarm-stress
settings: { lua_timeout_ms: 1, hard_timeout_ms: 5000 }
nodes:
  - { name: quick, run: 'return { n = 1 }' }
  - { name: spin, run: 'while true do end' }
";
const HARD: Duration = Duration::from_secs(5);

/// What one thread measured.
#[derive(Default)]
struct Tally {
    cpu_late: Vec<f64>,
    wall_late: Vec<f64>,
    other: usize,
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut flag = |name: &str, default: u64| {
        args.iter().position(|a| a == name).map_or(default, |at| {
            let v = args[at + 1].parse().expect("a number");
            args.drain(at..=at + 1);
            v
        })
    };
    let minutes = flag("--minutes", 10);
    let threads = flag("--threads", 2) as usize;
    let nodes: usize = args.first().map_or(100_000, |n| n.parse().expect("NODES"));
    let wf = Arc::new(Workflow::from_yaml(WORKFLOW, None).expect("the workflow loads"));
    let hz = kernel_hz();
    let started = Instant::now();
    let until = started + Duration::from_secs(minutes * 60);
    let done = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let hangs = Arc::new(AtomicUsize::new(0));
    // When each thread's current run started (ms since `started`, 0: between runs).
    let running: Arc<Vec<AtomicU64>> = Arc::new((0..threads).map(|_| AtomicU64::new(0)).collect());
    let watchdog = {
        let (stop, hangs, running) = (stop.clone(), hangs.clone(), running.clone());
        std::thread::spawn(move || {
            let mut flagged = vec![false; running.len()];
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(100));
                let now = started.elapsed().as_millis() as u64;
                for (i, r) in running.iter().enumerate() {
                    let at = r.load(Ordering::SeqCst);
                    let hung = at != 0 && now.saturating_sub(at) > HARD.as_millis() as u64;
                    if hung && !flagged[i] {
                        hangs.fetch_add(1, Ordering::SeqCst);
                        eprintln!("thread {i}: a spin is past its 5 s hard deadline");
                    }
                    flagged[i] = hung;
                }
            }
        })
    };
    let workers: Vec<_> = (0..threads)
        .map(|i| {
            let (wf, done, stop, running) =
                (wf.clone(), done.clone(), stop.clone(), running.clone());
            std::thread::spawn(move || {
                let mut tally = Tally::default();
                let charge = ThreadCharge::current();
                let options = RunOptions::seeded(i as u64);
                while !stop.load(Ordering::SeqCst) {
                    let (wall, cpu) = (Instant::now(), charge.now().expect("a CPU clock"));
                    running[i].store(
                        started.elapsed().as_millis().max(1) as u64,
                        Ordering::SeqCst,
                    );
                    let run = wf.run(json!({}), &options);
                    running[i].store(0, Ordering::SeqCst);
                    let used = charge.now().expect("a CPU clock") - cpu;
                    let budget = Duration::from_millis(1);
                    match run.result {
                        Err(e) if e.kind() == ErrorKind::Timeout => {
                            tally.cpu_late.push(ms(used.saturating_sub(budget)));
                            tally
                                .wall_late
                                .push(ms(wall.elapsed().saturating_sub(budget)));
                        }
                        _ => tally.other += 1,
                    }
                    if done.fetch_add(1, Ordering::SeqCst) + 1 >= nodes || Instant::now() >= until {
                        stop.store(true, Ordering::SeqCst);
                    }
                }
                tally
            })
        })
        .collect();
    let mut all = Tally::default();
    for w in workers {
        let t = w.join().expect("a stress thread");
        all.cpu_late.extend(t.cpu_late);
        all.wall_late.extend(t.wall_late);
        all.other += t.other;
    }
    stop.store(true, Ordering::SeqCst);
    watchdog.join().expect("the watchdog");
    let hangs = hangs.load(Ordering::SeqCst);
    let timeouts = all.cpu_late.len();
    println!(
        "{}",
        json!({
            "spins": timeouts + all.other,
            "timeouts": timeouts,
            "other": all.other,
            "hangs": hangs,
            "seconds": started.elapsed().as_secs_f64(),
            "cpu_late_ms": summary(&mut all.cpu_late),
            "wall_late_ms": summary(&mut all.wall_late),
            "kernel_hz": hz,
            "loadavg": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
        })
    );
    if all.other > 0 || hangs > 0 {
        std::process::exit(1);
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn summary(v: &mut [f64]) -> serde_json::Value {
    if v.is_empty() {
        return serde_json::Value::Null;
    }
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q) as usize];
    json!({ "median": at(0.5), "p99": at(0.99), "worst": at(1.0) })
}

/// The kernel's tick rate (`HZ`: CPU-clock timers expire on its ticks), from the jiffies
/// counter in `/proc/timer_list` over 2 s, to the nearest rate kernels are built with; `None`
/// where that file cannot be read.
fn kernel_hz() -> Option<u64> {
    let jiffies = || {
        let text = std::fs::read_to_string("/proc/timer_list").ok()?;
        let line = text.lines().find(|l| l.starts_with("jiffies:"))?;
        line.split_whitespace().nth(1)?.parse::<u64>().ok()
    };
    let (a, at) = (jiffies()?, Instant::now());
    std::thread::sleep(Duration::from_secs(2));
    let rate = (jiffies()? - a) as f64 / at.elapsed().as_secs_f64();
    [100u64, 250, 300, 1000].into_iter().min_by(|x, y| {
        (*x as f64 - rate)
            .abs()
            .total_cmp(&(*y as f64 - rate).abs())
    })
}
