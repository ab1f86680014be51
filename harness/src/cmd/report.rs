//! `harness report merge DIR... --out DIR`: the shard reports of one run (`--shard K/N`)
//! merged into the report of the whole run ([`crate::report::merge`]), written like a run's
//! (`report.json`, `report.md`, `junit.xml`), with its status lines; the exit code is the
//! merged run's.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::error::CmdError;
use super::output;
use crate::report::junit::JunitFlaky;
use crate::report::kept::Kept;
use crate::report::merge::{ShardReport, merge};
use crate::report::model::{Report, SCHEMA_VERSION};
use crate::report::status;
use crate::util::shell::command_line;
use crate::util::{input, text};

/// `harness report ...`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ReportCommand {
    /// Merge shard reports (`harness soak --shard K/N` or `harness explore --shard K/N`) into
    /// the report of the whole run: exact counts, classes and first failures.
    Merge(MergeArgs),
}

/// `harness report merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct MergeArgs {
    /// The shards' report folders (or their `report.json` files), every shard once.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Where the merged report goes (made if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Also write the merged JUnit XML here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// How flaky scenarios appear in JUnit (as for soak).
    #[arg(long, value_enum, default_value_t = JunitFlaky::Pass)]
    pub junit_flaky: JunitFlaky,
}

/// Runs `harness report ...` and returns the exit code.
pub fn run(command: &ReportCommand) -> Result<u8, CmdError> {
    match command {
        ReportCommand::Merge(args) => run_merge(args),
    }
}

fn run_merge(args: &MergeArgs) -> Result<u8, CmdError> {
    let started = Instant::now();
    let (shards, files): (Vec<ShardReport>, Vec<PathBuf>) = args
        .shards
        .iter()
        .map(|p| read(p))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .unzip();
    // Writing the merge over a shard's report would lose that shard.
    if let Ok(out) = args.out.canonicalize() {
        for (given, file) in args.shards.iter().zip(&files) {
            let folder = file.parent().map(Path::to_path_buf).unwrap_or_default();
            if folder.canonicalize().is_ok_and(|f| f == out) {
                return Err(CmdError::Usage(format!(
                    "merge --out {}: that is where shard {} keeps its report; give the merge a \
                     folder of its own",
                    args.out.display(),
                    given.display()
                )));
            }
        }
    }
    let report = merge(shards, command_line()).map_err(|e| CmdError::Usage(e.0))?;
    std::fs::create_dir_all(&args.out).map_err(|source| CmdError::Io {
        what: "make the merged report's folder",
        path: args.out.clone(),
        source,
    })?;
    output::prepare_junit(args.junit.as_deref())?;
    let kept = Kept::new(args.out.clone(), args.junit.clone(), args.junit_flaky);
    output::write_final(&kept, &report, "write the merged report under")?;
    let say = |line: &str| crate::util::out::say(format_args!("{line}"));
    say(&format!("SEED={}", report.run_seed));
    let width = status::count_width(report.scenarios.iter().map(|s| s.iterations.planned));
    for s in &report.scenarios {
        for line in output::scenario_lines(s, width) {
            say(&line);
        }
    }
    say(&status::summary_line(&report));
    say(&format!(
        "{:>10} {} shards in {:.3}s",
        "Merged",
        args.shards.len(),
        started.elapsed().as_secs_f64()
    ));
    say(&format!(
        "{:>10} {}",
        "Report",
        args.out.join("report.md").display()
    ));
    if let Some(why) = &report.stopped {
        say(&format!("{:>10} incomplete: {why}", "Stopped"));
    }
    Ok(report.exit_code)
}

/// The `report.json` of a folder: its own, or that of its one `soak-*`/`explore-*` run
/// folder (a shard's `--report-dir`).
fn report_in(dir: &Path) -> Result<PathBuf, CmdError> {
    let own = dir.join("report.json");
    if own.exists() {
        return Ok(own);
    }
    let mut runs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| CmdError::Io {
            what: "read the shard report folder",
            path: dir.to_path_buf(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path().join("report.json")))
        .filter(|p| p.exists())
        .collect();
    runs.sort();
    match runs.len() {
        1 => Ok(runs.remove(0)),
        0 => Err(CmdError::Usage(format!(
            "read the shard report in {}: it has no report.json, nor a run folder with one",
            dir.display()
        ))),
        _ => Err(CmdError::Usage(format!(
            "read the shard report in {}: it holds {} runs ({}); name the one to merge",
            dir.display(),
            runs.len(),
            runs.iter()
                .filter_map(|p| p.parent())
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Reads one shard's `report.json` (from its folder, its `--report-dir`, or the file itself),
/// and says which file it was.
fn read(path: &Path) -> Result<(ShardReport, PathBuf), CmdError> {
    let file = if path.is_dir() {
        report_in(path)?
    } else {
        path.to_path_buf()
    };
    let text =
        input::read_text(&file, input::REPORT).map_err(|e| CmdError::Usage(e.to_string()))?;
    // serde's messages quote values: a "report.json" may be any file.
    let elided = |e: serde_json::Error| text::elide_values(&e.to_string());
    let shown = text::path(&file);
    // The version first, without building the whole document as a JSON value (a report may
    // hold 100,000 outcomes per scenario): then straight into the report.
    #[derive(serde::Deserialize)]
    struct Versioned {
        #[serde(default)]
        schema_version: serde_json::Value,
    }
    let versioned: Versioned = serde_json::from_str(&text).map_err(|e| {
        CmdError::Usage(format!(
            "read {shown}: it is not a report.json ({}); was the shard killed before its first \
             checkpoint?",
            elided(e)
        ))
    })?;
    let version = versioned.schema_version.as_u64().unwrap_or(0);
    if version != u64::from(SCHEMA_VERSION) {
        return Err(CmdError::Usage(format!(
            "read {shown}: its schema_version is {version}; this harness merges version \
             {SCHEMA_VERSION} reports (rerun the shard with this harness)"
        )));
    }
    let report: Report = serde_json::from_str(&text)
        .map_err(|e| CmdError::Usage(format!("read {shown}: {}", elided(e))))?;
    Ok((
        ShardReport {
            source: path.display().to_string(),
            report,
        },
        file,
    ))
}
