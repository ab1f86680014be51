//! Lua's string-hash seed follows the run: the same hash seed gives the same `pairs()` order
//! in fresh VMs, different seeds give different orders, so a replay reproduces an
//! order-dependent outcome exactly.

use engine::RunOptions;
use serde_json::json;

use crate::common::*;

/// The order `pairs()` visits 20 string keys in, as one string.
const ORDER: &str = "local t = {}\n\
    for _, k in ipairs({'alpha','bravo','charlie','delta','echo','foxtrot','golf','hotel','india','juliet',\n\
    'kilo','lima','mike','november','oscar','papa','quebec','romeo','sierra','tango'}) do t[k] = true end\n\
    local seen = {}\nfor k in pairs(t) do seen[#seen + 1] = k end\nreturn { order = table.concat(seen, ',') }";

fn order(hash_seed: u64, seed: u64) -> String {
    let wf = load(&format!(
        "name: t\nnodes:\n  - name: n\n    run: |\n{}",
        ORDER
            .lines()
            .map(|l| format!("      {l}\n"))
            .collect::<String>()
    ));
    let options = RunOptions::seeded(seed).with_hash_seed(hash_seed);
    let state = wf.run(json!({}), &options).result.unwrap();
    state["order"].as_str().unwrap().to_string()
}

#[test]
fn the_same_hash_seed_gives_the_same_pairs_order_and_others_differ() {
    let a = order(1, 7);
    assert_eq!(order(1, 7), a, "same seed, same order");
    assert_eq!(order(1, 7), a);
    let others: std::collections::BTreeSet<String> = (2..8).map(|s| order(s, 7)).collect();
    assert!(
        others.len() >= 5 && !others.contains(&a),
        "different seeds, different orders: {others:?}"
    );
}

#[test]
fn without_a_hash_seed_the_order_follows_the_run_seed() {
    let wf = load(&format!(
        "name: t\nnodes:\n  - name: n\n    run: |\n{}",
        ORDER
            .lines()
            .map(|l| format!("      {l}\n"))
            .collect::<String>()
    ));
    let run = |seed| wf.run(json!({}), &RunOptions::seeded(seed)).result.unwrap()["order"].clone();
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

#[test]
fn a_fixed_hash_seed_gives_every_run_seed_the_same_order() {
    let orders: std::collections::BTreeSet<String> = (1..6).map(|seed| order(9, seed)).collect();
    assert_eq!(
        orders.len(),
        1,
        "the run seed leaked into the hash seed: {orders:?}"
    );
}

#[test]
fn branches_get_their_own_hash_seed_fixed_by_the_run_hash_seed() {
    let body: String = ORDER.lines().map(|l| format!("          {l}\n")).collect();
    let wf = load(&format!(
        "name: t\nnodes:\n  - name: s\n    run: return {{}}\n  - name: a\n    run: |\n{body}  - name: b\n    run: |\n{body}  - name: j\n    fan_in: true\n    run: |\n      local r = state.parallel_results\n      return {{ a = r[1].state.order, b = r[2].state.order }}\nedges:\n  - {{ from: s, parallel: [a, b] }}\n  - {{ from: a, to: j }}\n  - {{ from: b, to: j }}\n  - {{ from: j, to: __end__ }}\n"
    ).replace("          ", "      "));
    let run = |seed, hash| {
        let state = wf
            .run(json!({}), &RunOptions::seeded(seed).with_hash_seed(hash))
            .result
            .unwrap();
        (state["a"].clone(), state["b"].clone())
    };
    let (a, b) = run(1, 5);
    assert_ne!(a, b, "two branches, one hash seed: their VMs should differ");
    assert_eq!(
        run(2, 5),
        (a.clone(), b.clone()),
        "the run seed changed a fixed hash seed"
    );
    assert_ne!(run(1, 6), (a, b), "another hash seed, the same orders");
}
