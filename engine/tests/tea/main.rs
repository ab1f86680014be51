//! The compatibility suite (issue 21): The Edge Agent's Lua workflows, run here. Each fixture
//! (copied from TEA at f507cd9, MIT: `fixtures/LICENSE-TEA`) either gives TEA's asserted
//! result or is refused at load with an error that names the file and says why (TEA refuses
//! it too, or the TEA feature it needs is outside this engine). A fixture that does neither
//! fails this test: there are no silent divergences.
//!
//! `cargo nextest run -p engine --test tea --no-capture` prints the tally by source.

mod case;

use std::collections::BTreeMap;

use case::Outcome;

#[test]
fn every_tea_fixture_gives_teas_result_or_is_refused_clearly() {
    let cases = case::load();
    let mut tally: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut outside: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut departures = Vec::new();
    for c in &cases {
        let source = c.fixture.split('/').next().unwrap_or("").to_string();
        match c.check() {
            Ok(outcome) => {
                let class = match &outcome {
                    Outcome::Matches => "runs with TEA's result".to_string(),
                    Outcome::RefusedAsTea => "refused, as TEA refuses it".to_string(),
                    Outcome::Outside(why) => {
                        outside
                            .entry(why.clone())
                            .or_default()
                            .push(c.fixture.clone());
                        "refused: outside this engine".to_string()
                    }
                };
                *tally.entry((source, class)).or_default() += 1;
            }
            Err(why) => departures.push(format!("{}: {why}", c.fixture)),
        }
    }
    for ((source, class), n) in &tally {
        println!("{source:>7}  {n:>3}  {class}");
    }
    for (why, fixtures) in &outside {
        println!("outside this engine ({why}): {}", fixtures.len());
    }
    assert!(
        departures.is_empty(),
        "{} of {} TEA fixtures neither give TEA's result nor are refused clearly:\n{}",
        departures.len(),
        cases.len(),
        departures.join("\n")
    );
}

#[test]
fn every_fixture_has_a_case_and_every_case_a_fixture() {
    let listed: Vec<String> = case::load().into_iter().map(|c| c.fixture).collect();
    let mut files = Vec::new();
    walk(&case::fixtures(), "", &mut files);
    for file in &files {
        assert!(
            listed.contains(file),
            "fixtures/{file} has no case in cases.yaml"
        );
    }
    for fixture in &listed {
        assert!(
            files.contains(fixture),
            "cases.yaml lists fixtures/{fixture}, which is not there"
        );
    }
    let mut unique = listed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), listed.len(), "a fixture is listed twice");
    // The 61 workflows written inline in TEA's rust/tests/*.rs, all of them.
    assert_eq!(
        listed.iter().filter(|f| f.starts_with("inline/")).count(),
        61
    );
}

/// The YAML files under `dir`, as paths relative to the fixtures folder.
fn walk(dir: &std::path::Path, prefix: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read the fixtures") {
        let entry = entry.expect("a directory entry");
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().expect("a file type").is_dir() {
            walk(&entry.path(), &format!("{name}/"), out);
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push(name);
        }
    }
}
