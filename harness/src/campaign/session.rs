//! One worker process for a conversation: a replay, a shrink, a few reruns. The worker runs
//! under the same hard deadline as in a soak, on the worker's [`ChildClock`] (wall time less
//! its stops and this process's pauses); a worker that passes it is killed, and one that dies
//! says how.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::child_clock::ChildClock;
use super::exe::worker_command;
use super::plan::Plan;
use super::protocol::{LOAD_LIMIT, Reply, Request};
use super::stop::Stop;
use crate::outcome::evaluate::Stopped;
use crate::scenario::Scenario;

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoAnswer {
    /// It passed a hard deadline: the node's (reported by the worker) or the request's.
    Hang(String),
    /// The worker died, or could not start.
    Died(String),
    /// A signal asked the run to stop (the worker was killed).
    Stopped,
}

/// A worker process and its replies.
#[derive(Debug)]
pub struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    replies: mpsc::Receiver<Reply>,
    /// The worker's active time: the deadlines' clock.
    clock: ChildClock,
}

impl Session {
    /// Starts a worker for `scenario`, as `plan` says, and waits until it has loaded it (up
    /// to [`LOAD_LIMIT`]).
    pub fn start(scenario: &Scenario, plan: &Plan) -> Result<Session, NoAnswer> {
        let mut child = worker_command(scenario, plan)
            .and_then(|mut cmd| {
                cmd.stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::inherit())
                    .spawn()
            })
            .map_err(|e| NoAnswer::Died(format!("could not start a worker process: {e}")))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped");
        let (tx, replies) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let Ok(reply) = serde_json::from_str::<Reply>(&line) else {
                    return;
                };
                if tx.send(reply).is_err() {
                    return;
                }
            }
        });
        let mut clock = ChildClock::new(child.id());
        let until = clock.now() + LOAD_LIMIT;
        let mut session = Session {
            child,
            stdin,
            replies,
            clock,
        };
        loop {
            match session.recv_until(until) {
                Err(Wait::Stopped) => {
                    let _ = session.child.kill();
                    return Err(NoAnswer::Stopped);
                }
                Ok(Reply::Ready) => return Ok(session),
                Ok(Reply::Failed { message }) => return Err(NoAnswer::Died(message)),
                Ok(_) => continue,
                Err(Wait::Timeout) => {
                    let _ = session.child.kill();
                    return Err(NoAnswer::Hang(format!(
                        "its worker did not load the scenario within {}",
                        humantime::format_duration(LOAD_LIMIT)
                    )));
                }
                Err(Wait::Disconnected) => {
                    let status = session
                        .child
                        .wait()
                        .map(|s| s.to_string())
                        .unwrap_or_default();
                    return Err(NoAnswer::Died(format!(
                        "its worker died while loading the scenario ({status})"
                    )));
                }
            }
        }
    }

    /// Sends `request` and waits, up to `deadline`, for the first reply `wanted` takes.
    pub fn ask(
        &mut self,
        request: &Request,
        deadline: Duration,
        wanted: impl Fn(&Reply) -> bool,
    ) -> Result<Reply, NoAnswer> {
        let mut line = serde_json::to_string(request).expect("requests serialize");
        line.push('\n');
        if let Some(stdin) = &mut self.stdin {
            let _ = stdin
                .write_all(line.as_bytes())
                .and_then(|()| stdin.flush());
        }
        let until = self.clock.now().saturating_add(deadline);
        loop {
            match self.recv_until(until) {
                Err(Wait::Stopped) => {
                    let _ = self.child.kill();
                    return Err(NoAnswer::Stopped);
                }
                Ok(Reply::Overdue { what, .. }) => return Err(NoAnswer::Hang(what)),
                Ok(Reply::Failed { message }) => return Err(NoAnswer::Died(message)),
                Ok(reply) if wanted(&reply) => return Ok(reply),
                Ok(_) => continue,
                Err(Wait::Timeout) => {
                    let _ = self.child.kill();
                    return Err(NoAnswer::Hang(
                        Stopped::past_deadline(deadline, true).describe_cause(),
                    ));
                }
                Err(Wait::Disconnected) => {
                    let status = self.child.wait().map(|s| s.to_string()).unwrap_or_default();
                    return Err(NoAnswer::Died(format!("its worker died ({status})")));
                }
            }
        }
    }

    /// The next reply, waiting until `until` on the worker's clock, and no longer than a
    /// signal asks.
    fn recv_until(&mut self, until: Duration) -> Result<Reply, Wait> {
        let stop = Stop::current();
        loop {
            if stop.requested() {
                return Err(Wait::Stopped);
            }
            let left = until.saturating_sub(self.clock.now());
            match self
                .replies
                .recv_timeout(left.min(Duration::from_millis(100)))
            {
                Ok(reply) => return Ok(reply),
                Err(mpsc::RecvTimeoutError::Timeout) if left.is_zero() => {
                    return Err(Wait::Timeout);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(Wait::Disconnected),
            }
        }
    }
}

/// Why no reply came.
enum Wait {
    Timeout,
    Disconnected,
    Stopped,
}

impl Drop for Session {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
