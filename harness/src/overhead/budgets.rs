//! `benches/budgets.yaml`: each metric's budget, unit, class and where the budget comes from.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::OverheadError;

/// The whole budgets file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budgets {
    /// The metrics, in report order.
    pub metrics: Vec<Budget>,
}

/// One metric's entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Which measurement this is (see `metrics.rs`).
    pub id: String,
    /// What is measured, for people.
    pub what: String,
    /// Whether `--check` enforces it.
    pub class: Class,
    /// The unit of the figure and the budget.
    pub unit: String,
    /// The figure must be at most this.
    #[serde(default)]
    pub max: Option<f64>,
    /// The figure must be at least this.
    #[serde(default)]
    pub min: Option<f64>,
    /// Where the budget comes from.
    pub source: String,
    /// The seed documents' figure, for context.
    #[serde(default)]
    pub seed: Option<String>,
    /// Why a known breach does not fail `--check` for now. The report still says "over"
    /// and names the waiver, so the budget stays in sight instead of being raised.
    #[serde(default)]
    pub waived: Option<String>,
}

/// What kind of figure a metric is, which decides when a breach fails `--check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// A time or a ratio of times: noisy on shared hosts, enforced on request.
    Time,
    /// Bytes: deterministic, always enforced.
    Memory,
    /// Instruction counts from callgrind: deterministic, always enforced.
    Instructions,
}

impl Class {
    /// The name used in the file and the reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Time => "time",
            Class::Memory => "memory",
            Class::Instructions => "instructions",
        }
    }

    /// Whether plain `--check` enforces budgets of this class.
    pub fn deterministic(self) -> bool {
        !matches!(self, Class::Time)
    }
}

impl Budget {
    /// The budget as text (`≤ 40 µs`), or `—` when the metric has none.
    pub fn describe(&self) -> String {
        match (self.max, self.min) {
            (Some(max), _) => format!("≤ {} {}", trim(max), self.unit),
            (None, Some(min)) => format!("≥ {} {}", trim(min), self.unit),
            (None, None) => "—".to_string(),
        }
    }

    /// Whether `value` breaks the budget.
    pub fn breached_by(&self, value: f64) -> bool {
        self.max.is_some_and(|max| value > max) || self.min.is_some_and(|min| value < min)
    }
}

/// Loads and checks a budgets file. Errors name the file, and the line where YAML has one.
pub fn load(path: &Path) -> Result<Budgets, OverheadError> {
    let source = std::fs::read_to_string(path).map_err(|e| OverheadError::Budgets {
        file: path.to_path_buf(),
        message: format!("cannot read it: {e}"),
    })?;
    let budgets: Budgets = engine::loader::from_yaml(&source, Some(path)).map_err(|e| {
        let at = match (e.line, e.column) {
            (Some(l), Some(c)) => format!(":{l}:{c}"),
            (Some(l), None) => format!(":{l}"),
            _ => String::new(),
        };
        OverheadError::Budgets {
            file: PathBuf::from(format!("{}{at}", path.display())),
            message: e.message,
        }
    })?;
    for b in &budgets.metrics {
        if b.max.is_some() && b.min.is_some() {
            return Err(OverheadError::Budgets {
                file: path.to_path_buf(),
                message: format!("metric `{}` has both `max` and `min`; give one", b.id),
            });
        }
    }
    Ok(budgets)
}

/// A number without a needless `.0`.
pub fn trim(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}
