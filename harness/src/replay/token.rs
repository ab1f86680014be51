//! Replay tokens: one versioned string that reruns one failure exactly, for soak and explore
//! alike (`harness replay <token>`).
//!
//! A token is `bp2.`, the base64url of a JSON object, `.` and a checksum: 8 hex digits of the
//! CRC-32 of everything before it. The JSON holds the token version, the harness version,
//! the scenario's path relative to its project root and a hash of its content (and of the
//! workflow file it uses), the mode (a soak iteration or a shuttle schedule), the seed, every
//! knob, the hard deadline, and for a schedule the scheduler, its parameters and the schedule
//! itself (as runs of task ids, shrunk when explore shrank it).
//!
//! A token is copied by hand, so it must not survive a typo: a CRC-32 catches every change of
//! one character (a burst of at most 32 bits), where without it one substitution in five
//! still decoded, to another seed, path or knob. A checksum catches damage, not deliberate
//! edits; the scenario hash refuses another scenario, and the fields are checked against
//! their ranges. A replay refuses a token whose version, harness version or scenario hash
//! does not match: shuttle's schedules, and the places where the engine meets them, change
//! between versions, and replaying something else would be worse than saying so.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::explore::params::ExploreParams;
use crate::explore::steps::parse_steps;
use crate::iteration::knobs::Knobs;
use crate::outcome::Fingerprint;
use crate::scenario::Scenario;
use crate::scenario::load::MAX_WORKERS;
use crate::scenario::project::is_plain_relative;

/// The token payload's version.
pub const TOKEN_VERSION: u32 = 3;
/// What every token starts with: `bp`, the envelope's version (2: with a checksum), `.`.
pub const PREFIX: &str = "bp2.";
/// The longest scenario path a token may hold, in bytes.
pub const MAX_PATH: usize = 4096;
/// The build it was made by: a hash of the engine's and the harness's sources (`build.rs`).
pub const BUILD_ID: &str = env!("BP_BUILD_ID");
/// Tokens longer than this are also written to a file, whose path is printed.
pub const LONG: usize = 1000;

/// What a token reruns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// A soak iteration (real threads).
    Soak,
    /// A shuttle schedule.
    Explore,
}

/// One failure, everything needed to run it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// [`TOKEN_VERSION`].
    pub v: u32,
    /// The harness version that made it.
    pub harness: String,
    /// The build that made it ([`BUILD_ID`]).
    pub build: String,
    /// The scenario file, relative to its project root (plain names: no `..`, no root).
    pub scenario: PathBuf,
    /// Its content hash (16 hex digits): the scenario and the workflow file it uses.
    pub hash: String,
    /// What it reruns.
    pub mode: Mode,
    /// The iteration's (or schedule's) seed, decimal.
    pub seed: String,
    /// Every knob the iteration ran with.
    pub knobs: Knobs,
    /// The hard deadline the replay runs under, in ms.
    pub hard_deadline_ms: u64,
    /// For an outcome that only differed from the usual one: the usual fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    /// The failure's signature (`#1 final_state / ok`, `hang`): a replay that fails
    /// another way has not reproduced it. `None` for a divergent outcome, or when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// For a schedule: how it was made, and the schedule itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleToken>,
}

/// A shuttle schedule in a token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleToken {
    /// The scheduler and its parameters (`max_steps` as measured).
    pub params: ExploreParams,
    /// Its index in the run.
    pub index: u64,
    /// The schedule: runs of task ids (`0*3.1*4`), random values as `~v`.
    pub steps: String,
    /// Its preemptions.
    pub preemptions: usize,
    /// Preemptions before shrinking, when it was shrunk.
    pub shrunk_from: Option<usize>,
}

/// Why a token cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token at all.
    #[error("read the token: it does not start with `{PREFIX}` (is it a whole token, or `@file`?)")]
    Prefix,
    /// Its file could not be read.
    #[error("{0}")]
    File(String),
    /// Damaged.
    #[error("read the token: {0} (was it changed or cut when copied?)")]
    Damaged(String),
    /// Another envelope: an older token without a checksum, or a newer one.
    #[error(
        "replay a `{found}` token with a harness that reads `{PREFIX}` tokens: rerun the soak \
         or explore with this harness for a new token"
    )]
    Format {
        /// Its prefix.
        found: String,
    },
    /// Another token version.
    #[error(
        "replay a version {found} token with a harness that reads version {TOKEN_VERSION}: \
         rerun the soak or explore with this harness for a new token"
    )]
    Version {
        /// Its version.
        found: u32,
    },
    /// Another build of the same version.
    #[error(
        "replay a token made by another build of the harness (build {found}, this one is \
         {ours}): the engine or the harness changed, and with them shuttle's schedules and \
         the engine's scheduling points; rerun the soak or explore with this build for a new \
         token"
    )]
    Build {
        /// Its build.
        found: String,
        /// Ours.
        ours: String,
    },
    /// Another harness version.
    #[error(
        "replay a token made by harness {found} with harness {ours}: shuttle's schedules and \
         the engine's scheduling points change between versions; rerun the soak or explore \
         with this harness for a new token"
    )]
    Harness {
        /// Its harness version.
        found: String,
        /// Ours.
        ours: String,
    },
    /// The scenario changed.
    #[error(
        "replay {}: the scenario (or its workflow file) changed since the token was made \
         (hash {found}, now {now}); rerun the soak or explore for a new token",
        scenario.display()
    )]
    Changed {
        /// The scenario.
        scenario: PathBuf,
        /// The token's hash.
        found: String,
        /// The file's now.
        now: String,
    },
}

impl Token {
    /// The token as a string.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("tokens serialize");
        let signed = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(json));
        let sum = crc32(signed.as_bytes());
        format!("{signed}.{sum:08x}")
    }

    /// Reads a token (whitespace and line breaks inside are ignored, as a terminal may wrap
    /// it): its prefix, then its checksum, then its fields.
    pub fn decode(text: &str) -> Result<Token, TokenError> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let body = match text.strip_prefix(PREFIX) {
            Some(body) => body,
            None => return Err(other_envelope(&text)),
        };
        let damaged = |what: String| TokenError::Damaged(what);
        let (payload, sum) = body
            .rsplit_once('.')
            .ok_or_else(|| damaged("it has no checksum at its end".into()))?;
        let signed = &text[..PREFIX.len() + payload.len()];
        if sum != format!("{:08x}", crc32(signed.as_bytes())) {
            return Err(damaged(
                "its checksum does not match its content: a character was changed, added or \
                 lost"
                    .into(),
            ));
        }
        let json = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|e| damaged(e.to_string()))?;
        // The version first: another version's fields may differ.
        #[derive(Deserialize)]
        struct Versioned {
            v: u32,
        }
        let found = serde_json::from_slice::<Versioned>(&json)
            .map_err(|e| damaged(crate::util::text::elide_values(&e.to_string())))?
            .v;
        if found != TOKEN_VERSION {
            return Err(TokenError::Version { found });
        }
        // Straight into the struct: a duplicate key is an error (a JSON value keeps the last).
        let token: Token = serde_json::from_slice(&json)
            .map_err(|e| damaged(crate::util::text::elide_values(&e.to_string())))?;
        token.validate()?;
        Ok(token)
    }

    /// Refuses fields no harness writes: a seed that is not a number, a zero deadline, a
    /// scenario path that is not plain and relative, a knob out of its range, a mode that
    /// does not match the schedule, a schedule with no steps.
    fn validate(&self) -> Result<(), TokenError> {
        let bad = |what: String| Err(TokenError::Damaged(what));
        if self.seed.parse::<u64>().is_err() {
            return bad(format!(
                "the seed `{}` is not a number",
                crate::util::text::cut(&self.seed)
            ));
        }
        if self.hard_deadline_ms == 0 {
            return bad("the hard deadline is 0 ms".into());
        }
        let path = &self.scenario;
        if path.as_os_str().len() > MAX_PATH || !is_plain_relative(path) {
            return bad(format!(
                "the scenario path {} is not a plain path inside the project (no `..`, not \
                 absolute, at most {MAX_PATH} bytes)",
                crate::util::text::path(path)
            ));
        }
        if let Some(w) = self.knobs.workers
            && !(1..=MAX_WORKERS).contains(&w)
        {
            return bad(format!(
                "the worker cap {w} is out of its range (1 to {MAX_WORKERS})"
            ));
        }
        match (&self.mode, &self.schedule) {
            (Mode::Soak, Some(_)) => bad("a soak token with a schedule".into()),
            (Mode::Explore, None) => bad("an explore token without a schedule".into()),
            (Mode::Explore, Some(s)) => s.validate(),
            (Mode::Soak, None) => Ok(()),
        }
    }

    /// Refuses a token made by another harness, or for a scenario that changed since, or
    /// whose worker cap is above its workflow's own `max_parallel_branches`.
    pub fn check(&self, scenario: &Scenario) -> Result<(), TokenError> {
        let hash_now = &format!("{:016x}", scenario.content_hash);
        let ours = env!("CARGO_PKG_VERSION");
        if self.harness != ours {
            return Err(TokenError::Harness {
                found: self.harness.clone(),
                ours: ours.into(),
            });
        }
        if self.build != BUILD_ID {
            return Err(TokenError::Build {
                found: self.build.clone(),
                ours: BUILD_ID.into(),
            });
        }
        if self.hash != *hash_now {
            return Err(TokenError::Changed {
                scenario: self.scenario.clone(),
                found: self.hash.clone(),
                now: hash_now.into(),
            });
        }
        let ceiling = scenario.workflow.settings().max_parallel_branches;
        if let (Some(w), Some(c)) = (self.knobs.workers, ceiling)
            && w > c
        {
            return Err(TokenError::Damaged(format!(
                "its worker cap {w} is above the workflow's own `max_parallel_branches` ({c})"
            )));
        }
        Ok(())
    }

    /// The seed as a number (checked when the token was read).
    pub fn seed(&self) -> u64 {
        self.seed.parse().unwrap_or(0)
    }

    /// The token of iteration (or schedule) `seed` of `scenario`, which ran with `knobs`.
    pub fn new(
        scenario: &Scenario,
        seed: u64,
        knobs: Knobs,
        hard_deadline: Duration,
        (expect, signature): (Option<Fingerprint>, Option<String>),
        schedule: Option<ScheduleToken>,
    ) -> Token {
        Token {
            v: TOKEN_VERSION,
            harness: env!("CARGO_PKG_VERSION").into(),
            build: BUILD_ID.into(),
            signature,
            scenario: scenario.in_project.clone(),
            hash: format!("{:016x}", scenario.content_hash),
            mode: if schedule.is_some() {
                Mode::Explore
            } else {
                Mode::Soak
            },
            seed: seed.to_string(),
            knobs,
            hard_deadline_ms: (hard_deadline.as_millis() as u64).max(1),
            expect: expect.map(|f| f.to_string()),
            schedule,
        }
    }
}

impl ScheduleToken {
    /// Refuses a schedule no explore makes: no steps, or a PCT depth out of its range.
    fn validate(&self) -> Result<(), TokenError> {
        let steps = parse_steps(&self.steps).map_err(TokenError::Damaged)?;
        if steps.is_empty() {
            return Err(TokenError::Damaged("its schedule has no steps".into()));
        }
        if !(1..=MAX_DEPTH).contains(&self.params.depth) {
            return Err(TokenError::Damaged(format!(
                "its PCT depth {} is out of its range (1 to {MAX_DEPTH})",
                self.params.depth
            )));
        }
        Ok(())
    }
}

/// The largest PCT depth (`harness explore --depth`).
pub const MAX_DEPTH: usize = 16;

/// What a text that is not a `bp2.` token is: another envelope version (`bp1.`), or no
/// token at all.
fn other_envelope(text: &str) -> TokenError {
    let version = text
        .strip_prefix("bp")
        .and_then(|rest| rest.split_once('.'))
        .filter(|(n, _)| !n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()));
    match version {
        Some((n, _)) => TokenError::Format {
            found: format!("bp{n}."),
        },
        None => TokenError::Prefix,
    }
}

/// CRC-32 (IEEE 802.3, reflected, as zlib's): it detects every error burst of up to 32 bits,
/// so every change of one character. Bitwise: tokens are small.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// How to replay a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayCommand {
    /// `harness replay <token>`.
    pub command: String,
    /// For a long token: `harness replay @FILE`, the token written to a file.
    pub file: Option<String>,
}

/// `harness replay <token>`; when the token is long and `dir` is given, it is also written to
/// `<dir>/<stem>.token`, and `harness replay @FILE` is the shorter command.
pub fn command(token: &Token, dir: Option<&Path>, stem: &str) -> ReplayCommand {
    let text = token.encode();
    let mut file = None;
    if text.len() > LONG
        && let Some(dir) = dir
    {
        let path = dir.join(format!("{stem}.token"));
        if std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&path, format!("{text}\n")))
            .is_ok()
        {
            file = Some(format!(
                "harness replay @{}",
                crate::util::shell::shell_word(&path.display().to_string())
            ));
        }
    }
    ReplayCommand {
        command: format!("harness replay {text}"),
        file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_zlibs() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
