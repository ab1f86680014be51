//! Clear errors for the rest: a UTF-8 byte order mark gave "more than one document" or
//! "missing field `nodes`"; right-to-left overrides reached the console raw; an explore
//! report.md was titled "Soak report"; a full disk left `report.html.tmp` behind; a long
//! path was echoed whole.

use crate::common::{Project, latest};

const CLEAN: &str = "name: clean
story: adversarial
iterations: 2
workflow:
  name: clean
  nodes:
    - { name: only, run: \"return { ok = true }\" }
expect:
  - final_state: { ok: true }
";

#[test]
fn a_byte_order_mark_is_dropped() {
    let p = Project::new();
    let scenario = p.write("scenarios/bom.yaml", &format!("\u{feff}{CLEAN}"));
    p.write("w.yaml", "\u{feff}name: w\nnodes:\n  - { name: n }\n");
    let (out, _) = p.soak(&scenario, &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    let uses = p.write(
        "scenarios/uses.yaml",
        "\u{feff}name: uses\nstory: t\niterations: 2\nworkflow_file: ../w.yaml\n",
    );
    let (out, _) = p.soak(&uses, &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    let out = p.harness(&["run", "w.yaml"]);
    assert_eq!(out.code, 0, "{}", out.all());
}

#[test]
fn bidi_overrides_and_zero_width_characters_are_escaped_on_the_console() {
    let p = Project::new();
    let scenario = p.write(
        "scenarios/bidi.yaml",
        &CLEAN.replace("name: clean\n", "name: \"admin\u{202e}txt.exe\u{200b}\"\n"),
    );
    let (out, _) = p.soak(&scenario, &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("admin\\u{202e}txt.exe\\u{200b}"),
        "{}",
        out.all()
    );
    assert!(
        !out.all().contains(['\u{202e}', '\u{200b}']),
        "{}",
        out.all()
    );
    // In an error too.
    let out = p.harness(&[
        "soak",
        "scenarios/\u{202e}missing.yaml",
        "--report-dir",
        "r",
    ]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(!out.all().contains('\u{202e}'), "{}", out.all());
}

#[test]
fn an_explore_report_is_titled_as_one() {
    let p = Project::new();
    p.write("scenarios/clean.yaml", CLEAN);
    let out = p.harness(&[
        "explore",
        "scenarios/clean.yaml",
        "--schedules",
        "2",
        "--report-dir",
        "r",
    ]);
    assert_eq!(out.code, 0, "{}", out.all());
    let md = std::fs::read_to_string(latest(&p.root.join("r")).join("report.md")).unwrap();
    assert!(md.starts_with("# Explore report\n"), "{md}");
}

#[test]
#[cfg(target_os = "linux")]
fn a_full_disk_leaves_no_temporary_file() {
    // /dev/full fails every write with "no space left on device": the merge's report.html
    // is written through it.
    let p = Project::new();
    p.write("scenarios/clean.yaml", CLEAN);
    let out = p.harness(&[
        "soak",
        "scenarios/clean.yaml",
        "--seed",
        "1",
        "--shard",
        "1/1",
        "--report-dir",
        "s",
    ]);
    assert_eq!(out.code, 0, "{}", out.all());
    let merged = p.root.join("merged");
    std::fs::create_dir(&merged).unwrap();
    std::os::unix::fs::symlink("/dev/full", merged.join("report.html.tmp")).unwrap();
    let out = p.harness(&["report", "merge", "s", "--out", "merged"]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stderr.contains("write the merged report under merged"),
        "{}",
        out.all()
    );
    let left: Vec<_> = std::fs::read_dir(&merged)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert_eq!(left, Vec::<String>::new());
}

#[test]
fn a_long_path_is_cut_with_its_length() {
    let p = Project::new();
    let long = "a".repeat(100_000);
    let scenario = p.scenario_using("long", &long);
    let (out, dir) = p.soak(&scenario, &[]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout.contains("… (100000 characters)"),
        "{}",
        &out.all()[..2000.min(out.all().len())]
    );
    assert!(
        out.all().len() < 5_000,
        "{} bytes of output",
        out.all().len()
    );
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.len() < 5_000, "{} bytes of report.md", md.len());
}
