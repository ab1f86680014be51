//! No file content is published: a `.env` inside the project parses as a YAML string, so
//! the path rule alone does not protect it; the parser's message quoted it whole into the
//! console and all four report files. Now only the file, line, column and the message, with
//! values elided, are shown.

use crate::common::{FAILING, Project, SECRET, printed_token, report_text};

#[test]
fn a_dotenv_named_as_a_workflow_is_reported_without_its_content() {
    let p = Project::new();
    let scenario = p.scenario_using("env", "../.env");
    let (out, dir) = p.soak(&scenario, &[]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout
            .contains("scenarios/../.env:1:1: invalid type: string \"…\", expected"),
        "{}",
        out.all()
    );
    assert!(!out.all().contains("hunter2"), "{}", out.all());
    let reports = report_text(&dir);
    assert!(
        reports.contains("invalid type: string"),
        "the error is reported"
    );
    assert!(!reports.contains("hunter2"), "{reports}");
}

#[test]
fn a_token_or_a_run_naming_a_dotenv_does_not_print_it() {
    let p = Project::new();
    let failing = p.write("scenarios/failing.yaml", FAILING);
    let (out, _) = p.soak(&failing, &[]);
    let mut token = harness::replay::token::Token::decode(&printed_token(&out)).unwrap();
    token.scenario = ".env".into();
    let out = p.harness(&["replay", &token.encode()]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(out.stderr.contains("load scenario"), "{}", out.all());
    assert!(!out.all().contains("hunter2"), "{}", out.all());
    let out = p.harness(&["run", ".env"]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(!out.all().contains(SECRET), "{}", out.all());
}
