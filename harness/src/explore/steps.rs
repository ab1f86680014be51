//! A schedule's steps as text, as tokens and the worker protocol carry them: runs of task
//! ids (`0*3.1*4`), random values as `~v`.

use super::trace::Step;

/// The most steps a schedule's text may hold (a real schedule has thousands).
pub const MAX_STEPS: usize = 10_000_000;

/// A schedule's steps as text: runs of task ids (`0*3.1*4`), random values as `~v`.
pub fn steps_text(steps: &[Step]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < steps.len() {
        match steps[i] {
            Step::Random(v) => {
                out.push(format!("~{v}"));
                i += 1;
            }
            Step::Task(t) => {
                let mut j = i;
                while j < steps.len() && steps[j] == Step::Task(t) {
                    j += 1;
                }
                out.push(format!("{t}*{}", j - i));
                i = j;
            }
        }
    }
    out.join(".")
}

/// [`steps_text`] read back.
pub fn parse_steps(text: &str) -> Result<Vec<Step>, String> {
    let bad = |part: &str| format!("the schedule has a bad step `{part}`");
    let mut steps = Vec::new();
    for part in text.split('.').filter(|p| !p.is_empty()) {
        if let Some(v) = part.strip_prefix('~') {
            if steps.len() >= MAX_STEPS {
                return Err(format!("the schedule has more than {MAX_STEPS} steps"));
            }
            steps.push(Step::Random(v.parse().map_err(|_| bad(part))?));
        } else {
            let (t, n) = part.split_once('*').ok_or_else(|| bad(part))?;
            let t: u32 = t.parse().map_err(|_| bad(part))?;
            let n: usize = n.parse().map_err(|_| bad(part))?;
            if n > MAX_STEPS - steps.len() {
                return Err(format!("the schedule has more than {MAX_STEPS} steps"));
            }
            steps.extend(std::iter::repeat_n(Step::Task(t), n));
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_round_trip_through_text() {
        let steps = vec![
            Step::Task(0),
            Step::Task(0),
            Step::Task(1),
            Step::Random(42),
            Step::Task(1),
        ];
        let text = steps_text(&steps);
        assert_eq!(text, "0*2.1*1.~42.1*1");
        assert_eq!(parse_steps(&text).unwrap(), steps);
        assert!(parse_steps("0*x").is_err());
    }
}
