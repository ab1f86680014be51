//! Tokens that cannot be replayed faithfully are refused, with a message that says why.

use harness::replay::token::{Token, TokenError};

use crate::common::{fixture, harness, soak, token_of};

/// A soak token of the always-failing fixture, made by a real run.
fn a_token() -> Token {
    let run = soak(&[&fixture("soak/always-failing.yaml"), "--iterations", "3"]);
    token_of(&run.replay_commands()[0])
}

fn replay(token: &str) -> (i32, String) {
    let out = harness().args(["replay", token]).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_token_round_trips_through_its_text() {
    let token = a_token();
    assert_eq!(Token::decode(&token.encode()).unwrap(), token);
    // A terminal may wrap it: whitespace inside is ignored.
    let text = token.encode();
    let wrapped = format!("{}\n  {}", &text[..30], &text[30..]);
    assert_eq!(Token::decode(&wrapped).unwrap(), token);
    assert_eq!(replay(&text).0, 1, "it reproduces");
}

#[test]
fn another_token_version_is_refused() {
    let mut token = a_token();
    token.v = 9;
    let (code, text) = replay(&token.encode());
    assert_eq!(code, 3, "{text}");
    assert!(
        text.contains("replay a version 9 token with a harness that reads version"),
        "{text}"
    );
}

#[test]
fn a_token_from_another_harness_version_is_refused() {
    let mut token = a_token();
    token.harness = "0.0.1".into();
    let (code, text) = replay(&token.encode());
    assert_eq!(code, 3, "{text}");
    assert!(text.contains("made by harness 0.0.1"), "{text}");
    assert!(text.contains("shuttle's schedules"), "{text}");
}

#[test]
fn a_token_for_a_changed_scenario_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("always-failing.yaml");
    let original = crate::common::root().join(fixture("soak/always-failing.yaml"));
    std::fs::copy(&original, &copy).unwrap();
    let run = soak(&[copy.to_str().unwrap(), "--iterations", "3"]);
    let command = run.replay_commands()[0].clone();
    let text = std::fs::read_to_string(&copy).unwrap();
    std::fs::write(&copy, format!("{text}\n# edited\n")).unwrap();
    // The copy's project is its own folder: the replay runs from there.
    let out = harness()
        .current_dir(dir.path())
        .args(["replay", command.strip_prefix("harness replay ").unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(text.contains("changed since the token was made"), "{text}");
    assert!(
        text.contains("replay always-failing.yaml:"),
        "names the scenario: {text}"
    );
}

#[test]
fn damaged_tokens_are_refused_with_what_is_wrong() {
    assert_eq!(Token::decode("hello"), Err(TokenError::Prefix));
    assert!(matches!(
        Token::decode("bp2.%%%"),
        Err(TokenError::Damaged(_))
    ));
    let text = a_token().encode();
    let cut = &text[..text.len() - 10];
    let (code, out) = replay(cut);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("was it changed or cut when copied?"), "{out}");
    let (code, out) = replay("@/nonexistent/x.token");
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("read token file /nonexistent/x.token"),
        "{out}"
    );
}

#[test]
fn a_token_in_a_file_replays_with_at() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.token");
    std::fs::write(&file, format!("{}\n", a_token().encode())).unwrap();
    let (code, out) = replay(&format!("@{}", file.display()));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("REPRODUCED 1 of 1"), "{out}");
}

#[test]
fn a_token_from_another_build_is_refused() {
    let mut token = a_token();
    assert_eq!(token.build, harness::replay::token::BUILD_ID);
    token.build = "0000000000000000".into();
    let (code, text) = replay(&token.encode());
    assert_eq!(code, 3, "{text}");
    assert!(
        text.contains("made by another build of the harness"),
        "{text}"
    );
}

#[test]
fn fields_no_harness_writes_are_refused() {
    let damaged = |t: Token, what: &str| match Token::decode(&t.encode()) {
        Err(TokenError::Damaged(m)) => assert!(m.contains(what), "{m}"),
        other => panic!("{what}: {other:?}"),
    };
    let mut bad_seed = a_token();
    bad_seed.seed = "abc".into();
    damaged(bad_seed, "seed");
    let mut no_deadline = a_token();
    no_deadline.hard_deadline_ms = 0;
    damaged(no_deadline, "0 ms");
    let mut mode = a_token();
    mode.mode = harness::replay::token::Mode::Explore;
    damaged(mode, "without a schedule");
    // A schedule of hundreds of millions of steps is refused before it is built.
    assert!(harness::explore::parse_steps("0*9999999.1*9999999").is_err());
}

#[test]
fn a_replay_that_fails_another_way_has_not_reproduced_the_failure() {
    let mut token = a_token();
    token.signature = Some("#1 final_state / lua error at node `x`".into());
    let (code, text) = replay(&token.encode());
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("FAILED OTHERWISE"), "{text}");
    assert!(text.contains("NOT REPRODUCED in 1 replays"), "{text}");
}
