//! Typo-proof tokens: a checksum refuses every change of one character (before, one
//! substitution in five still decoded, to another seed, scenario path or knob, and replayed
//! as REPRODUCED), knobs are checked against their ranges, duplicate keys are refused, a
//! schedule with no steps is refused, and one naming a task that does not exist ends the
//! replay as DIVERGED, never "followed".

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use harness::iteration::Knobs;
use harness::replay::token::{BUILD_ID, Mode, PREFIX, TOKEN_VERSION, Token, TokenError, crc32};
use proptest::prelude::*;

use crate::common::{FAILING, Project, printed_token};

const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

/// A project with the failing scenario, and the token its soak printed.
fn soaked() -> (Project, String) {
    let p = Project::new();
    let failing = p.write("scenarios/failing.yaml", FAILING);
    let (out, _) = p.soak(&failing, &[]);
    let token = printed_token(&out);
    (p, token)
}

/// `text` with the character at `at` replaced by `c`.
fn substituted(text: &str, at: usize, c: char) -> String {
    let mut out = text.to_string();
    out.replace_range(at..at + 1, c.encode_utf8(&mut [0; 4]));
    out
}

#[test]
fn every_single_character_substitution_of_a_real_token_is_refused() {
    let (_p, token) = soaked();
    assert!(Token::decode(&token).is_ok());
    let mut tried = 0;
    for at in 0..token.len() {
        let here = token.as_bytes()[at] as char;
        for c in ALPHABET.chars().filter(|&c| c != here) {
            let typo = substituted(&token, at, c);
            assert!(Token::decode(&typo).is_err(), "accepted: {typo}");
            tried += 1;
        }
    }
    assert_eq!(tried, token.len() * (ALPHABET.len() - 1));
}

fn a_token(seed: u64, scenario: String, workers: usize, hash_seed: u64) -> Token {
    Token {
        v: TOKEN_VERSION,
        harness: env!("CARGO_PKG_VERSION").into(),
        build: BUILD_ID.into(),
        scenario: scenario.into(),
        hash: format!("{:016x}", seed.rotate_left(7)),
        mode: Mode::Soak,
        seed: seed.to_string(),
        knobs: Knobs {
            chaos: engine::ChaosLevel::Light,
            workers: Some(workers),
            spawn_thread: seed.is_multiple_of(2),
            hash_seed,
            mutant: harness::mutants::plant::Mutant::None,
        },
        hard_deadline_ms: 60_000,
        expect: None,
        signature: Some("#1 final_state / ok".into()),
        schedule: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_random_substitution_in_a_random_token_is_refused(
        seed in any::<u64>(),
        scenario in "[a-z]{1,8}(/[a-z0-9_-]{1,8}){0,3}\\.yaml",
        workers in 1usize..=1024,
        hash_seed in any::<u64>(),
        at in any::<prop::sample::Index>(),
        c in prop::sample::select(ALPHABET.chars().collect::<Vec<_>>()),
    ) {
        let text = a_token(seed, scenario, workers, hash_seed).encode();
        prop_assert!(Token::decode(&text).is_ok());
        let at = at.index(text.len());
        prop_assume!(text.as_bytes()[at] as char != c);
        prop_assert!(Token::decode(&substituted(&text, at, c)).is_err());
    }
}

#[test]
fn knob_values_out_of_their_range_are_refused() {
    let (p, token) = soaked();
    for workers in [0, 100_000] {
        let mut t = Token::decode(&token).unwrap();
        t.knobs.workers = Some(workers);
        let out = p.harness(&["replay", &t.encode()]);
        assert_eq!(out.code, 3, "{}", out.all());
        assert!(
            out.stderr.contains(&format!(
                "the worker cap {workers} is out of its range (1 to 1024)"
            )),
            "{}",
            out.all()
        );
        assert!(!out.stdout.contains("REPRODUCED"), "{}", out.all());
    }
}

#[test]
fn duplicate_keys_are_refused() {
    let (_p, token) = soaked();
    let payload = token
        .strip_prefix(PREFIX)
        .unwrap()
        .rsplit_once('.')
        .unwrap()
        .0;
    let json = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let doubled = json.replacen('{', "{\"seed\":\"42\",", 1);
    let signed = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(doubled));
    let text = format!("{signed}.{:08x}", crc32(signed.as_bytes()));
    match Token::decode(&text) {
        Err(TokenError::Damaged(why)) => assert!(why.contains("duplicate field"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_older_token_format_is_refused_as_such() {
    let out = Project::new().harness(&["replay", "bp1.eyJ2IjoyfQ"]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stderr
            .contains("replay a `bp1.` token with a harness that reads `bp2.` tokens"),
        "{}",
        out.all()
    );
}

#[test]
fn a_schedule_with_no_steps_is_refused_and_one_naming_a_missing_task_diverges() {
    let p = Project::new();
    p.write("scenarios/failing.yaml", FAILING);
    let out = p.harness(&[
        "explore",
        "scenarios/failing.yaml",
        "--schedules",
        "3",
        "--seed",
        "1",
        "--report-dir",
        "r",
    ]);
    assert_eq!(out.code, 1, "{}", out.all());
    let token = Token::decode(&printed_token(&out)).unwrap();
    let mut empty = token.clone();
    empty.schedule.as_mut().unwrap().steps = String::new();
    let out = p.harness(&["replay", &empty.encode()]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stderr.contains("its schedule has no steps"),
        "{}",
        out.all()
    );
    let mut missing = token;
    missing.schedule.as_mut().unwrap().steps = "99*5".into();
    let out = p.harness(&["replay", &missing.encode()]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout
            .contains("DIVERGED: the replay left the recorded schedule at step 0"),
        "{}",
        out.all()
    );
    assert!(
        !out.stdout.contains("followed step by step"),
        "{}",
        out.all()
    );
    assert!(!out.stdout.contains("REPRODUCED"), "{}", out.all());
}
