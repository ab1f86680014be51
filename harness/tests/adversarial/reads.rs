//! Bounded reads: a FIFO, a device or a folder is refused before a byte is read (the FIFO
//! without blocking), and every kind of input has a size cap named in its error. Before,
//! `workflow_file: /dev/zero` grew to 24 GB until the OOM killer came, `@/dev/zero` reached
//! 4.1 GB in 10 s, and a FIFO blocked for as long as anyone waited.

use std::fs::File;

use crate::common::{FAILING, Project, printed_token, run};

const MIB: u64 = 1 << 20;

#[test]
fn a_device_named_as_any_input_is_refused_before_reading() {
    let p = Project::new();
    let wf = p.write("w.yaml", "name: w\nnodes:\n  - { name: n }\n");
    let wf = wf.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["soak", "/dev/zero"], "read scenario /dev/zero"),
        (&["replay", "@/dev/zero"], "read token file /dev/zero"),
        (
            &["report", "merge", "/dev/zero", "--out", "m"],
            "read shard report /dev/zero",
        ),
        (&["run", "/dev/zero"], "read workflow /dev/zero"),
        (
            &["run", wf, "--state-file", "/dev/zero"],
            "read state file /dev/zero",
        ),
    ];
    for (args, what) in cases {
        let out = p.harness(args);
        assert_eq!(out.code, 3, "{args:?}: {}", out.all());
        assert!(
            out.all().contains(&format!(
                "{what}: it is a character device, not a regular file"
            )),
            "{args:?}: {}",
            out.all()
        );
    }
}

#[test]
fn a_fifo_as_scenario_workflow_token_file_or_token_scenario_ends_at_once() {
    let p = Project::new();
    p.fifo("scenarios/fifo.yaml");
    p.fifo("w.fifo");
    p.fifo("t.token");
    // Named on the command line, and found in a folder (reported, not skipped).
    for target in ["scenarios/fifo.yaml", "scenarios"] {
        let out = p.harness(&["soak", target, "--report-dir", "r"]);
        assert_eq!(out.code, 3, "{}", out.all());
        assert!(
            out.all().contains("it is a FIFO, not a regular file"),
            "{}",
            out.all()
        );
    }
    std::fs::remove_file(p.root.join("scenarios/fifo.yaml")).unwrap();
    let uses = p.scenario_using("uses-fifo", "../w.fifo");
    let (out, _) = p.soak(&uses, &[]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.all().contains("read workflow") && out.all().contains("it is a FIFO"),
        "{}",
        out.all()
    );
    let out = p.harness(&["replay", "@t.token"]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.all().contains("read token file t.token: it is a FIFO"),
        "{}",
        out.all()
    );
    // A token whose scenario is the FIFO (a token is someone else's input too).
    let failing = p.write("scenarios/failing.yaml", FAILING);
    let (out, _) = p.soak(&failing, &[]);
    let mut token = harness::replay::token::Token::decode(&printed_token(&out)).unwrap();
    token.scenario = "w.fifo".into();
    let out = p.harness(&["replay", &token.encode()]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(out.all().contains("read scenario"), "{}", out.all());
    assert!(out.all().contains("it is a FIFO"), "{}", out.all());
}

#[test]
fn a_folder_named_as_a_workflow_is_refused() {
    let p = Project::new();
    std::fs::create_dir(p.root.join("dir.yaml")).unwrap();
    let uses = p.scenario_using("uses-dir", "../dir.yaml");
    let (out, _) = p.soak(&uses, &[]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.all().contains("it is a folder, not a regular file"),
        "{}",
        out.all()
    );
}

/// A sparse file of `bytes` (no disk used).
fn sparse(path: &std::path::Path, bytes: u64) {
    File::create(path).unwrap().set_len(bytes).unwrap();
}

#[test]
fn every_kind_of_input_has_a_cap_named_in_its_error() {
    let p = Project::new();
    sparse(&p.root.join("huge.yaml"), 64 * MIB + 1);
    let uses = p.scenario_using("uses-huge", "../huge.yaml");
    let (out, _) = p.soak(&uses, &[]);
    assert!(
        out.all()
            .contains("it is larger than 64 MiB, the cap for a workflow"),
        "{}",
        out.all()
    );
    sparse(&p.root.join("scenarios/huge.yaml"), 64 * MIB + 1);
    let out = p.harness(&["soak", "scenarios/huge.yaml", "--report-dir", "r"]);
    assert!(
        out.all().contains("the cap for a scenario"),
        "{}",
        out.all()
    );
    sparse(&p.root.join("big.token"), MIB + 1);
    let out = p.harness(&["replay", "@big.token"]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.all()
            .contains("larger than 1 MiB, the cap for a token file"),
        "{}",
        out.all()
    );
    std::fs::create_dir(p.root.join("shard")).unwrap();
    sparse(&p.root.join("shard/report.json"), 256 * MIB + 1);
    let out = p.harness(&["report", "merge", "shard", "--out", "m"]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.all()
            .contains("larger than 256 MiB, the cap for a shard report"),
        "{}",
        out.all()
    );
}

#[test]
fn standard_input_is_read_under_the_token_cap() {
    let p = Project::new();
    let failing = p.write("scenarios/failing.yaml", FAILING);
    let (out, _) = p.soak(&failing, &[]);
    let token = printed_token(&out);
    let replay = |stdin: Vec<u8>| run(p.command(&p.root, &["replay", "@-"]), Some(stdin));
    let out = replay(format!("{token}\n").into_bytes());
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout.contains("REPRODUCED 1 of 1 replays"),
        "{}",
        out.all()
    );
    // An endless stdin (`< /dev/zero`) stops at the cap: here 2 MiB of it.
    let out = replay(vec![b'A'; 2 * MIB as usize]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.all()
            .contains("read token file (standard input): it is larger than 1 MiB"),
        "{}",
        out.all()
    );
}
