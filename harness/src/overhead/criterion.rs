//! Reads criterion's own results (`<criterion home>/**/new/estimates.json`), so the report
//! reuses criterion's statistics instead of recomputing them.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// Criterion's median for one bench, in nanoseconds, with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The median time per iteration.
    pub median_ns: f64,
    /// Lower bound of the median's confidence interval.
    pub low_ns: f64,
    /// Upper bound of the median's confidence interval.
    pub high_ns: f64,
    /// The interval's confidence level (criterion's default is 0.95).
    pub confidence: f64,
}

/// Every bench result under `home`, by criterion's full id (`fanout/parallel/4`).
/// Unreadable or foreign files are skipped: criterion's home also holds its own reports.
pub fn read_all(home: &Path) -> BTreeMap<String, Estimate> {
    let mut found = BTreeMap::new();
    walk(home, &mut found);
    found
}

fn walk(dir: &Path, found: &mut BTreeMap<String, Estimate>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|n| n == "new") {
            if let Some((id, estimate)) = read_one(&path) {
                found.insert(id, estimate);
            }
        } else {
            walk(&path, found);
        }
    }
}

/// Reads one `new/` directory: the id from `benchmark.json`, the median from
/// `estimates.json`.
fn read_one(new_dir: &Path) -> Option<(String, Estimate)> {
    let json = |name: &str| -> Option<Value> {
        let text = std::fs::read_to_string(new_dir.join(name)).ok()?;
        serde_json::from_str(&text).ok()
    };
    let id = json("benchmark.json")?
        .get("full_id")?
        .as_str()?
        .to_string();
    Some((id, parse_estimates(&json("estimates.json")?)?))
}

/// The median from criterion's `estimates.json` document.
pub fn parse_estimates(doc: &Value) -> Option<Estimate> {
    let median = doc.get("median")?;
    let interval = median.get("confidence_interval")?;
    Some(Estimate {
        median_ns: median.get("point_estimate")?.as_f64()?,
        low_ns: interval.get("lower_bound")?.as_f64()?,
        high_ns: interval.get("upper_bound")?.as_f64()?,
        confidence: interval.get("confidence_level")?.as_f64()?,
    })
}
