//! Paths stay in the project: a scenario's `workflow_file` (absolute, `..`, or a symlink)
//! must resolve inside the project root, `--root` sets another root, and a token stores its
//! scenario relative to the root so that it replays from any folder of the project. Before,
//! any readable file could be named, and a token replayed from another folder said only
//! "No such file or directory".

use crate::common::{FAILING, Project, SECRET, printed_token, report_text, run};

#[test]
fn a_workflow_file_outside_the_project_is_refused_with_the_rule() {
    let p = Project::new();
    let secret = p.outside.join("secret.env");
    std::os::unix::fs::symlink(&secret, p.root.join("link.yaml")).unwrap();
    let cases = [
        ("absolute", secret.display().to_string()),
        ("dotdot", "../../outside/secret.env".to_string()),
        ("symlink", "../link.yaml".to_string()),
    ];
    for (name, workflow_file) in cases {
        let scenario = p.scenario_using(name, &workflow_file);
        let (out, dir) = p.soak(&scenario, &[]);
        assert_eq!(out.code, 3, "{name}: {}", out.all());
        assert!(
            out.stdout.contains(&format!(
                "`workflow_file` {workflow_file} resolves to {}, outside the project root {}",
                secret.display(),
                p.root.display()
            )),
            "{name}: {}",
            out.all()
        );
        assert!(
            out.stdout.contains("the top of its git work tree"),
            "the rule: {}",
            out.all()
        );
        assert!(!out.all().contains(SECRET), "{name}: {}", out.all());
        assert!(!report_text(&dir).contains(SECRET), "{name}");
    }
}

#[test]
fn root_overrides_the_scenarios_own_folder() {
    // No git and no Cargo.toml: the root is the scenario's own folder, so a workflow beside
    // that folder is outside it until `--root` names the folder above.
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().canonicalize().unwrap();
    std::fs::create_dir_all(top.join("scen")).unwrap();
    std::fs::create_dir_all(top.join("wf")).unwrap();
    std::fs::write(top.join("wf/w.yaml"), "name: w\nnodes:\n  - { name: n }\n").unwrap();
    std::fs::write(
        top.join("scen/s.yaml"),
        "name: s\nstory: t\niterations: 2\nworkflow_file: ../wf/w.yaml\n",
    )
    .unwrap();
    let soak = |extra: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_harness"));
        cmd.current_dir(&top)
            .args(["soak", "scen/s.yaml", "--report-dir", "r"])
            .args(extra);
        run(cmd, None)
    };
    let out = soak(&[]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout.contains("outside the project root"),
        "{}",
        out.all()
    );
    let out = soak(&["--root", "."]);
    assert_eq!(out.code, 0, "{}", out.all());
}

#[test]
fn a_token_replays_from_any_folder_of_the_project_and_says_what_to_run_elsewhere() {
    let p = Project::new();
    let failing = p.write("scenarios/failing.yaml", FAILING);
    let (out, _) = p.soak(&failing, &[]);
    let token = printed_token(&out);
    let decoded = harness::replay::token::Token::decode(&token).unwrap();
    assert_eq!(
        decoded.scenario,
        std::path::Path::new("scenarios/failing.yaml")
    );
    let deep = p.root.join("scenarios/deeper");
    std::fs::create_dir_all(&deep).unwrap();
    for dir in [&p.root, &p.root.join("scenarios"), &deep] {
        let out = run(p.command(dir, &["replay", &token]), None);
        assert_eq!(out.code, 1, "from {}: {}", dir.display(), out.all());
        assert!(out.stdout.contains("REPRODUCED 1 of 1"), "{}", out.all());
    }
    // From another project: what to run instead.
    let elsewhere = Project::new();
    let out = elsewhere.harness(&["replay", &token]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stderr
            .contains("its scenario scenarios/failing.yaml is not in the project at")
            && out
                .stderr
                .contains("harness replay --root PROJECT_DIR TOKEN"),
        "{}",
        out.all()
    );
    let root = p.root.display().to_string();
    let out = elsewhere.harness(&["replay", "--root", &root, &token]);
    assert_eq!(out.code, 1, "{}", out.all());
}
