//! The fan-out's own worker count against one worker, timed run by run in turn: for each
//! branch count, `peer-bench --alternate --baseline` runs the engine's choice, one worker and
//! the same workflow without its fan-out, one after the other, and the cost ratio comes from
//! the three medians. criterion measures each bench minutes apart, and this host's speed
//! drifts by up to 2x in that time: a 1.05x budget cannot be judged from that.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use benches::fixtures::{FAN_OUT_SIZES, TRIVIAL_BRANCH, fan_out_yaml};

/// Runs per branch count (and as many of each of the other two), `--quick` or not.
pub fn runs(quick: bool) -> usize {
    if quick { 200 } else { 1000 }
}

/// The cost ratio `(own − baseline) ÷ (one worker − baseline)` per branch count, or why
/// there is none. `bench` is the built `peer-bench`; the workflows are written to `dir`.
pub fn measure(bench: &Path, dir: &Path, runs: usize) -> Result<BTreeMap<usize, f64>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("make {}: {e}", dir.display()))?;
    let write = |n: usize| {
        let path = dir.join(format!("fan-out-{n}.yaml"));
        std::fs::write(&path, fan_out_yaml(n, TRIVIAL_BRANCH))
            .map(|()| path)
            .map_err(|e| format!("write the fan-out workflow: {e}"))
    };
    let baseline = write(0)?;
    let mut ratios = BTreeMap::new();
    for n in FAN_OUT_SIZES {
        let wf = write(n)?;
        let output = Command::new(bench)
            .arg(runs.to_string())
            .arg(&wf)
            .arg("--alternate")
            .arg("--baseline")
            .arg(&baseline)
            .output()
            .map_err(|e| format!("run {}: {e}", bench.display()))?;
        if !output.status.success() {
            return Err(format!(
                "{} failed: {}",
                bench.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        let json: serde_json::Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("read peer-bench's output: {e}"))?;
        let ratio = json["cost_ratio"]
            .as_f64()
            .ok_or_else(|| format!("no cost ratio for N = {n}: {json}"))?;
        ratios.insert(n, ratio);
    }
    Ok(ratios)
}

/// `N=1 1.003, N=2 1.003, ...`.
pub fn describe(ratios: &BTreeMap<usize, f64>) -> String {
    ratios
        .iter()
        .map(|(n, r)| format!("N={n} {r:.3}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(dir: &Path, body: &str) -> std::path::PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("fake-peer-bench");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn every_fan_out_size_gets_its_ratio_from_the_bench() {
        let dir = tempfile::tempdir().unwrap();
        // The fake bench answers with the branch count it was given, read from the file name.
        let bench = script(
            dir.path(),
            r#"n=$(basename "$2" .yaml | sed 's/fan-out-//'); [ "$3" = --alternate ] && [ "$4" = --baseline ] || exit 9; echo "{\"cost_ratio\": 1.$n}""#,
        );
        let ratios = measure(&bench, &dir.path().join("wf"), 10).unwrap();
        assert_eq!(ratios.keys().copied().collect::<Vec<_>>(), FAN_OUT_SIZES);
        assert_eq!(ratios[&4], 1.4);
        assert!(dir.path().join("wf/fan-out-0.yaml").exists());
        assert_eq!(describe(&ratios).split(", ").next(), Some("N=1 1.100"));
    }

    #[test]
    fn a_bench_that_fails_or_says_nothing_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let failing = script(dir.path(), "echo broken >&2; exit 1");
        let why = measure(&failing, &dir.path().join("wf"), 10).unwrap_err();
        assert!(why.contains("broken"), "{why}");
        let silent = script(dir.path(), "echo '{}'");
        let why = measure(&silent, &dir.path().join("wf"), 10).unwrap_err();
        assert!(why.contains("no cost ratio for N = 1"), "{why}");
    }
}
