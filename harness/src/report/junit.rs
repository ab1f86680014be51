//! `junit.xml`: one `<testcase>` per scenario, written with quick-junit.
//!
//! Conventions, following nextest's:
//! * clean: a plain testcase;
//! * failing: `<failure>` with the rate, the first bad iteration and the replay command;
//! * flaky: a passing testcase with a `<flakyFailure>` per violated invariant (the first
//!   bad iteration always, with the replay command), which is how nextest records a test that
//!   failed and passed; CI tools show it as flaky. The exit code (2) still fails the run;
//! * with `--junit-flaky fail`, a flaky scenario is a `<failure>` instead (for CI systems
//!   that only read failures);
//! * error: `<error>`; not run: `<skipped>`;
//! * the canary: passing when it failed as expected (`XFAIL`), `<failure>` when it passed.

use std::time::Duration;

use quick_junit::{
    NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestRerun, TestSuite,
};

use super::model::{Report, ScenarioReport};
use super::status::detail_lines;
use crate::outcome::Class;

/// How a flaky scenario appears in JUnit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum JunitFlaky {
    /// A passing testcase with a `flakyFailure` per failure (nextest's convention; CI
    /// systems that read it show the test as flaky).
    #[default]
    Pass,
    /// A `failure`, for CI systems that only read failures.
    Fail,
}

/// The report as JUnit XML.
pub fn render(r: &Report, flaky_as: JunitFlaky) -> String {
    let mut junit = Junit::new("harness soak");
    junit.set_time(Duration::from_secs_f64(r.elapsed_s));
    let mut suite = TestSuite::new("soak");
    suite.set_time(Duration::from_secs_f64(r.elapsed_s));
    suite.add_property(("run_seed", r.run_seed.as_str()));
    suite.add_property(("complete", if r.complete { "true" } else { "false" }));
    for s in &r.scenarios {
        suite.add_test_case(case(s, flaky_as));
    }
    junit.add_test_suite(suite);
    junit
        .to_string()
        .expect("quick-junit serializes its own model")
}

fn case(s: &ScenarioReport, flaky_as: JunitFlaky) -> TestCase {
    let details = detail_lines(s)
        .iter()
        .map(|l| l.trim_start().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let summary = format!(
        "{} of {} iterations failed",
        s.failures.failures, s.iterations.run
    );
    let status = match (s.status, s.expect_failure) {
        (Class::Clean, false) => TestCaseStatus::success(),
        (Class::Failing, true) => TestCaseStatus::success(),
        (Class::Flaky, _) if flaky_as == JunitFlaky::Pass => flaky(s, &details),
        (Class::Flaky, _) => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            st.set_message(format!("flaky: {summary}"));
            st.set_type("flaky");
            st.set_description(details.clone());
            st
        }
        (Class::Error, _) => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Error);
            st.set_message(s.error.clone().unwrap_or_default());
            st.set_type("error");
            st
        }
        (Class::NotRun, _) => {
            let mut st = TestCaseStatus::skipped();
            st.set_message("not run");
            st
        }
        (Class::Clean, true) => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            st.set_message("the canary passed: the harness did not report its failure");
            st.set_type("unexpected_pass");
            st
        }
        (Class::Failing, false) => {
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            st.set_message(summary);
            st.set_type("failing");
            st.set_description(details.clone());
            st
        }
    };
    let mut tc = TestCase::new(s.name.as_str(), status);
    tc.set_classname(format!("soak.{}", s.file));
    tc.set_time(Duration::from_secs_f64(s.elapsed_s));
    tc.add_property(("status", s.status.as_str()));
    tc.add_property(("iterations", s.iterations.run.to_string().as_str()));
    if s.expect_failure && s.status == Class::Failing {
        tc.set_system_out(format!("expected failure (canary): {details}"));
    }
    tc
}

fn flaky(s: &ScenarioReport, details: &str) -> TestCaseStatus {
    let mut st = TestCaseStatus::success();
    let mut first = TestRerun::new(NonSuccessKind::Failure);
    first.message = Some(
        format!(
            "flaky: {} of {} iterations failed",
            s.failures.failures, s.iterations.run
        )
        .into(),
    );
    first.ty = Some("flaky".into());
    first.description = Some(details.into());
    st.add_rerun(first);
    for inv in s.invariants.iter().filter(|i| i.violations > 0) {
        let mut rerun = TestRerun::new(NonSuccessKind::Failure);
        rerun.message = Some(format!("{}: {} violations", inv.label, inv.violations).into());
        rerun.ty = Some("invariant".into());
        if let Some(bad) = &inv.first {
            rerun.description = Some(
                format!(
                    "iteration {} (seed {}): {}",
                    bad.iteration, bad.seed, bad.message
                )
                .into(),
            );
        }
        st.add_rerun(rerun);
    }
    st
}
