//! `harness replay <token>`: one failure, run again exactly as the token says: a soak
//! iteration with its seed and knobs in a worker process, or a shuttle schedule followed step
//! by step. A token whose version, harness version or scenario does not match is refused.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::token::{Mode, Token, TokenError};
use crate::campaign::protocol::{Reply, Request};
use crate::campaign::session::{NoAnswer, Session};
use crate::campaign::{ExplorePlan, Isolation, Plan};
use crate::explore::params::ExploreParams;
use crate::explore::steps::parse_steps;
use crate::iteration::execute::WireRun;
use crate::iteration::knobs::{Knobs, Overrides};
use crate::outcome::evaluate::Stopped;
use crate::outcome::{Fingerprint, Outcome};
use crate::scenario::project;
use crate::scenario::{Scenario, ScenarioError};
use crate::util::{input, text};

/// Why a token cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The token is not usable here.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// Its scenario does not load.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A signal stopped it before its first run finished.
    #[error("replay the token: a signal stopped it")]
    Stopped,
    /// Its scenario is not in the project found from here (or given by `--root`).
    #[error(
        "replay the token: its scenario {} {why}; run the replay from inside the project the \
         token was made in, or name that project: `harness replay --root PROJECT_DIR TOKEN`",
        text::path(scenario)
    )]
    Elsewhere {
        /// The token's scenario path.
        scenario: PathBuf,
        /// Why it cannot be found here.
        why: String,
    },
    /// `--root` is not a folder.
    #[error("{0}")]
    Root(String),
}

/// A token's replays.
#[derive(Debug)]
pub struct TokenReplay {
    /// The token.
    pub token: Token,
    /// Its scenario.
    pub scenario: Arc<Scenario>,
    /// The first replay, in full.
    pub first: Replayed,
    /// Replays in all, and how many reproduced the failure.
    pub reproduced: (u64, u64),
    /// How many failed, but another way than the token's.
    pub otherwise: u64,
    /// Where an explore replay left the recorded schedule, when it did.
    pub diverged: Option<String>,
}

/// What a replay did.
#[derive(Debug)]
pub struct Replayed {
    /// The iteration seed.
    pub seed: u64,
    /// Its knobs.
    pub knobs: Knobs,
    /// The run, when it finished.
    pub run: Option<WireRun>,
    /// How it was judged (a hang or a crash when it did not finish).
    pub outcome: Outcome,
    /// The usual fingerprint it was compared with, when one was given.
    pub expected: Option<Fingerprint>,
    /// The fingerprint of running the same seed once more (when the first run finished).
    pub again: Option<Fingerprint>,
    /// The failure's signature the token wants back, and the one this run has (its
    /// scenario's invariant labels decide it).
    pub signatures: (Option<String>, Option<String>),
}

impl Replayed {
    /// Whether its outcome differs from the usual one it was compared with.
    pub fn diverged(&self) -> bool {
        self.expected
            .is_some_and(|usual| usual != self.outcome.fingerprint)
    }

    /// Whether the failure came back: the same way of failing as the token's, or (without
    /// one) an invariant violated, a hang or a crash, or a diverging outcome.
    pub fn reproduced(&self) -> bool {
        match &self.signatures {
            (Some(wanted), got) => got.as_ref() == Some(wanted),
            (None, _) => self.outcome.failed() || self.diverged(),
        }
    }

    /// Whether it failed, but not the way the token wants.
    pub fn failed_otherwise(&self) -> bool {
        self.outcome.failed() && !self.reproduced()
    }
}

/// Reads `@FILE` (a regular file of at most 1 MiB), `@-` (standard input, as much), or the
/// token itself.
pub fn read(text: &str) -> Result<Token, TokenError> {
    let file = match text.strip_prefix('@') {
        Some("-") => input::read_stdin(input::TOKEN),
        Some(path) => input::read_text(Path::new(path), input::TOKEN),
        None => return Token::decode(text),
    };
    Token::decode(&file.map_err(|e| TokenError::File(e.to_string()))?)
}

/// The token's scenario file: its path below `root` (`--root`, else the project root found
/// from the working directory), which must resolve inside it.
pub fn locate(token: &Token, root: Option<&Path>) -> Result<(PathBuf, PathBuf), ReplayError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let (root, found) = match root {
        Some(given) => (
            project::given_root(given).map_err(ReplayError::Root)?,
            "--root",
        ),
        None => (project::find_root(&cwd), "the working directory"),
    };
    let elsewhere = |why: String| ReplayError::Elsewhere {
        scenario: token.scenario.clone(),
        why,
    };
    let path = root.join(&token.scenario);
    match project::confine(&root, &path) {
        Ok(_) => {}
        Err(project::Refusal::Unresolved(e)) => {
            return Err(elsewhere(format!(
                "is not in the project at {} (found from {found}: {}): {e}",
                text::path(&root),
                project::RULE
            )));
        }
        Err(project::Refusal::Outside(to)) => {
            return Err(elsewhere(format!(
                "resolves to {}, outside the project root {}",
                text::path(&to),
                text::path(&root)
            )));
        }
    }
    // As the user would name it: relative when they are at the root.
    let shown = if cwd.canonicalize().is_ok_and(|c| c == root) {
        token.scenario.clone()
    } else {
        path
    };
    Ok((shown, root))
}

/// Replays `token` `times` times; `root` is `--root` (else found from the working
/// directory).
pub fn replay(token: Token, times: u64, root: Option<&Path>) -> Result<TokenReplay, ReplayError> {
    let (file, root) = locate(&token, root)?;
    let scenario = Arc::new(crate::scenario::load::load_file(&file, Some(&root))?);
    token.check(&scenario)?;
    let explore = match &token.schedule {
        Some(s) => {
            parse_steps(&s.steps).map_err(TokenError::Damaged)?;
            true
        }
        None => false,
    };
    let plan = plan_of(&token);
    let labels: Vec<String> = scenario
        .invariants
        .iter()
        .map(|i| i.label.clone())
        .collect();
    let (request, limit) = request_of(&token);
    let mut session = Session::start(&scenario, &plan);
    let mut first: Option<Replayed> = None;
    let mut diverged = None;
    let (mut reproduced, mut otherwise) = (0, 0);
    for _ in 0..times {
        // A worker that died (a hang, a crash) is replaced for the next replay.
        let answer = match &mut session {
            Ok(s) => s.ask(&request, limit, |r| matches!(r, Reply::Done { .. })),
            Err(e) => Err(e.clone()),
        };
        if answer.is_err() {
            session = Session::start(&scenario, &plan);
        }
        let replayed = match answer {
            Ok(Reply::Done {
                outcome,
                run,
                again,
                nondeterminism,
                ..
            }) => {
                if diverged.is_none() {
                    diverged = nondeterminism.filter(|_| explore);
                }
                let outcome = outcome.outcome();
                let again = again.as_deref().and_then(Fingerprint::parse);
                replayed(&token, &labels, outcome, run, again)
            }
            Ok(_) => unreachable!("only a Done is wanted"),
            Err(NoAnswer::Stopped) => break,
            Err(NoAnswer::Hang(why)) => {
                let outcome = Outcome::stopped(Stopped::Hang(why));
                replayed(&token, &labels, outcome, None, None)
            }
            Err(NoAnswer::Died(why)) => {
                let outcome = Outcome::stopped(Stopped::Crash(why));
                replayed(&token, &labels, outcome, None, None)
            }
        };
        reproduced += u64::from(replayed.reproduced());
        otherwise += u64::from(replayed.failed_otherwise());
        first.get_or_insert(replayed);
    }
    Ok(TokenReplay {
        token,
        scenario,
        first: first.ok_or(ReplayError::Stopped)?,
        reproduced: (times, reproduced),
        otherwise,
        diverged,
    })
}

/// The plan a token's replays run under: its knobs' overrides, its hard deadline, and its
/// schedule's scheduler.
fn plan_of(token: &Token) -> Plan {
    Plan {
        run_seed: 0,
        jobs: 1,
        overrides: Overrides {
            chaos: Some(token.knobs.chaos),
            mutant: token.knobs.mutant,
            ..Overrides::default()
        },
        fail_fast: false,
        isolation: Isolation::Process,
        hard_deadline: Some(Duration::from_millis(token.hard_deadline_ms)),
        shard: None,
        explore: token.schedule.as_ref().map(|s| ExplorePlan {
            params: ExploreParams { ..s.params },
            check_determinism: false,
        }),
    }
}

/// What a worker is asked for each replay, and how long it may take: a soak replay runs the
/// iteration twice (the second says whether the seed decides its outcome), and each run gets
/// the whole hard deadline.
fn request_of(token: &Token) -> (Request, Duration) {
    let deadline = Duration::from_millis(token.hard_deadline_ms);
    let seed = token.seed();
    match (&token.mode, &token.schedule) {
        (Mode::Explore, Some(s)) => (
            Request::ReplaySchedule {
                index: s.index,
                seed,
                knobs: token.knobs,
                steps: s.steps.clone(),
            },
            deadline,
        ),
        _ => (
            Request::Replay {
                seed,
                knobs: Some(token.knobs),
            },
            deadline.saturating_mul(2),
        ),
    }
}

/// One replay of `token` that ended with `outcome`.
fn replayed(
    token: &Token,
    labels: &[String],
    outcome: Outcome,
    run: Option<WireRun>,
    again: Option<Fingerprint>,
) -> Replayed {
    Replayed {
        seed: token.seed(),
        knobs: token.knobs,
        run,
        signatures: (token.signature.clone(), outcome.signature(labels)),
        outcome,
        expected: token.expect.as_deref().and_then(Fingerprint::parse),
        again,
    }
}
