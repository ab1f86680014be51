//! The report files: ratios derived within one run, the chart, the JSON shape.

use crate::common::{Scratch, metric, stderr};

const FAN_OUT_BUDGETS: &str =
    "  - { id: fanout_vs_floor_4, what: floor, class: time, unit: ×, max: 1.3, source: ours }
  - { id: fanout_vs_sequential_4, what: sequential, class: time, unit: ×, source: context }
  - { id: cpu_speedup_4, what: speedup, class: time, unit: ×, min: 1.8, source: ours }
  - { id: soak_rate, what: soak, class: time, unit: iter/s, min: 3000, source: ours }
";

/// A run's worth of criterion results, in ns: branch 50 µs, spawn 30 µs, main path 60 µs,
/// and fan-outs whose costs are known.
fn fan_out_run(s: &Scratch) {
    s.criterion_result("branch/end_to_end", 50_000.0, 49_000.0, 51_000.0);
    s.criterion_result("thread/spawn_one", 30_000.0, 29_000.0, 31_000.0);
    s.criterion_result("fanout/main_path", 60_000.0, 59_000.0, 61_000.0);
    for n in [1u32, 2, 4, 8, 16, 32] {
        let n = f64::from(n);
        let par = 60_000.0 + n * 35_000.0;
        let seq = 60_000.0 + n * 50_000.0;
        s.criterion_result(
            &format!("fanout/parallel/{n}"),
            par,
            par - 1000.0,
            par + 1000.0,
        );
        s.criterion_result(
            &format!("fanout/sequential/{n}"),
            seq,
            seq - 1000.0,
            seq + 1000.0,
        );
    }
    s.criterion_result("cpu/parallel_4", 11_000_000.0, 10_500_000.0, 11_500_000.0);
    s.criterion_result("cpu/sequential_4", 20_000_000.0, 19_500_000.0, 20_500_000.0);
    s.criterion_result("soak/iteration_4", 250_000.0, 240_000.0, 260_000.0);
}

#[test]
fn ratios_are_derived_from_the_same_run() {
    let s = Scratch::new();
    fan_out_run(&s);
    let out = s.overhead(&s.budgets(FAN_OUT_BUDGETS), &[]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let report = s.json();
    // cost(4) = 4 × 35 = 140 µs; floor(4) = 4 × 50 / 2 + 30 = 130 µs.
    let floor = &metric(&report, "fanout_vs_floor_4")["figure"];
    assert!(
        (floor["median"].as_f64().unwrap() - 140.0 / 130.0).abs() < 1e-9,
        "{floor}"
    );
    assert_eq!(metric(&report, "fanout_vs_floor_4")["verdict"], "within");
    // Its range comes from the inputs' intervals: widest numerator over narrowest floor.
    assert!(floor["low"].as_f64().unwrap() < floor["median"].as_f64().unwrap());
    assert!(floor["high"].as_f64().unwrap() > floor["median"].as_f64().unwrap());
    let seq = metric(&report, "fanout_vs_sequential_4")["figure"]["median"]
        .as_f64()
        .unwrap();
    assert!((seq - 140.0 / 200.0).abs() < 1e-9, "{seq}");
    let speedup = &metric(&report, "cpu_speedup_4");
    assert!((speedup["figure"]["median"].as_f64().unwrap() - 20.0 / 11.0).abs() < 1e-9);
    assert_eq!(speedup["verdict"], "within");
    let soak = &metric(&report, "soak_rate");
    assert!((soak["figure"]["median"].as_f64().unwrap() - 4000.0).abs() < 1e-6);
    assert_eq!(report["fan_out"].as_array().unwrap().len(), 6);
}

#[test]
fn the_chart_shows_parallel_sequential_and_floor() {
    let s = Scratch::new();
    fan_out_run(&s);
    let out = s.overhead(&s.budgets(FAN_OUT_BUDGETS), &[]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let svg = std::fs::read_to_string(s.path("reports/overhead.svg")).expect("overhead.svg");
    assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
    for label in [
        "parallel",
        "sequential (1 thread)",
        "floor: N × branch ÷ cores + hand-off",
    ] {
        assert!(svg.contains(label), "the chart lacks `{label}`");
    }
    assert!(
        s.markdown()
            .contains("![fan-out cost against branch count](overhead.svg)")
    );
    let html = std::fs::read_to_string(s.path("reports/overhead.html")).expect("overhead.html");
    assert!(
        html.contains("<div class=\"chart\"><svg"),
        "the chart is inline"
    );
    assert_eq!(html.matches("class=\"metric-row\"").count(), 4);
}

#[test]
fn missing_results_are_reported_as_not_measured() {
    let s = Scratch::new();
    let out = s.overhead(&s.budgets(FAN_OUT_BUDGETS), &["--check-timing"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "nothing measured, nothing breached: {}",
        stderr(&out)
    );
    let report = s.json();
    let entry = metric(&report, "cpu_speedup_4");
    assert_eq!(entry["verdict"], "not measured");
    assert!(
        entry["not_measured_because"]
            .as_str()
            .unwrap()
            .contains("cpu/")
    );
    assert!(
        !s.path("reports/overhead.svg").exists(),
        "no fan-out rows, no chart"
    );
}
