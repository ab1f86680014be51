//! The Lua text of generated nodes, fan-ins and conditions.
//!
//! Everything is deterministic given the state and the VM's `math.random` seed: integer
//! arithmetic modulo a prime, no `pairs()` order in any output, no addresses. In probe
//! mode each node first records which marker globals of other nodes it can see (`P_`,
//! `G_`, `F_` globals and `S_` fields of the string table), then sets its own `P_` marker.

use crate::spec::{Body, Op};

const MODULUS: i64 = 1_000_003;

/// A node's `run` code; `None` for a pass-through node. `names` are all node names (for
/// the probe); `me` is this node's.
pub fn node_code(body: &Body, me: &str, names: &[String], probe: bool) -> Option<String> {
    let (ops, ret_nil) = match body {
        Body::Pass if !probe => return None,
        Body::Pass => (&[][..], false),
        Body::Lua { ops, ret_nil } => (&ops[..], *ret_nil && !probe),
    };
    let mut code = String::new();
    if probe {
        code.push_str(&probe_code(me, names));
    }
    code.push_str("local x = state.x\nlocal items = state.items\nlocal out = {}\n");
    for op in ops {
        if probe && op.fails() {
            continue;
        }
        code.push_str(&op_code(op, me, names));
        code.push('\n');
    }
    if probe {
        code.push_str(&format!("out.seen_{me} = table.concat(__seen, \",\")\n"));
    }
    if ret_nil {
        code.push_str("return nil\n");
    } else {
        code.push_str("out.x = x\nout.items = items\nreturn out\n");
    }
    Some(code)
}

fn probe_code(me: &str, names: &[String]) -> String {
    let list: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    format!(
        r#"local __seen = {{}}
for _, n in ipairs({{ {} }}) do
  for _, p in ipairs({{ "P_", "G_", "F_" }}) do
    if rawget(_G, p .. n) ~= nil then __seen[#__seen + 1] = p .. n end
  end
  if rawget(string, "S_" .. n) ~= nil then __seen[#__seen + 1] = "S_" .. n end
end
P_{me} = true
"#,
        list.join(", ")
    )
}

fn op_code(op: &Op, me: &str, names: &[String]) -> String {
    let other = |i: usize| &names[i % names.len()];
    match *op {
        Op::Arith { mul, add } => format!("x = (x * {mul} + {add}) % {MODULUS}"),
        Op::Append { k } => format!("items[#items + 1] = (x + {k}) % 97"),
        Op::SetGlobal { k } => format!(
            "G_{me} = (type(rawget(_G, \"G_{me}\")) == \"number\" and G_{me} or 0) + x + {k}"
        ),
        Op::ReadGlobal { other: o } => format!(
            "do local g = rawget(_G, \"G_{0}\") if type(g) == \"number\" then x = (x + g) % {MODULUS} end end",
            other(o)
        ),
        Op::DefineFn { mul } => {
            format!("function F_{me}(v) return (v * {mul} + 1) % {MODULUS} end")
        }
        Op::CallFn { other: o } => {
            format!("if F_{0} then x = F_{0}(x) end", other(o))
        }
        Op::Random { hi } => format!("x = (x + math.random(1, {hi})) % {MODULUS}"),
        Op::RandomFloat => format!("out.r_{me} = math.random()"),
        Op::MaybeFail { m, r } => {
            format!("if x % {m} == {r} then error(\"{me} failed at \" .. x) end")
        }
        Op::Text { k } => format!(
            "out.s_{me} = string.rep(\"ab\", {k}) .. \":\" .. tostring(x % 100) .. \":\" .. string.upper(\"{me}\")"
        ),
        Op::SortItems => "do local t = {} for i, v in ipairs(items) do t[i] = v end \
             table.sort(t) out.sorted = table.concat(t, \",\") end"
            .to_string(),
        Op::Loop { n } => format!("for i = 1, {n} do x = (x * 3 + i) % {MODULUS} end"),
        Op::Nested { k } => format!("out.t_{me} = {{ a = x, b = {{ x % 10, {k} }}, c = {{}} }}"),
        Op::BranchInfo => {
            format!("if branch then out[\"b_{me}_\" .. branch.name] = branch.index end")
        }
        Op::PatchString => format!("string.S_{me} = true"),
    }
}

/// A fan-in that folds `parallel_results` into `x`, forwards the probes' `seen_` keys,
/// records failures, and with `keep_states` keeps each branch's whole state.
pub fn join_code(me: &str, names: &[String], probe: bool, keep_states: bool) -> String {
    let mut code = String::new();
    if probe {
        code.push_str(&probe_code(me, names));
    }
    code.push_str(&format!(
        r#"local acc, ok, bad = state.x, 0, 0
local out = {{}}
for i, r in ipairs(state.parallel_results) do
  if r.success then
    ok = ok + 1
    acc = (acc * 31 + (r.state.x or 0) + i) % {MODULUS}
    for k, v in pairs(r.state) do
      if string.sub(k, 1, 5) == "seen_" then out[k] = v end
    end
    {keep}
  else
    bad = bad + 1
    acc = (acc * 31 + #r.error) % {MODULUS}
    out["error_" .. r.branch] = r.error_type .. ": " .. r.error
  end
end
out.x = acc
out.ok = (state.ok or 0) + ok
out.bad = (state.bad or 0) + bad
"#,
        keep = if keep_states {
            "out[\"from_\" .. r.branch] = r.state"
        } else {
            ""
        }
    ));
    if probe {
        code.push_str(&format!("out.seen_{me} = table.concat(__seen, \",\")\n"));
    }
    code.push_str("return out\n");
    code
}

/// A condition over `state.x` (Tera, as TEA-Rust evaluates conditions), picked by `pick`;
/// true for roughly half the values. `negated` gives its opposite (Tera cannot parse
/// `not (...)` around a comparison).
pub fn condition(pick: u8, negated: bool) -> String {
    let (eq, ne, lt) = if negated {
        ("!=", "==", ">=")
    } else {
        ("==", "!=", "<")
    };
    match pick % 4 {
        0 => format!("state.x % 2 {eq} 0"),
        1 => format!("state.x % 3 {ne} 1"),
        2 => format!("(state.x + {}) % 5 {lt} 2", pick / 4),
        _ => format!("state.items | length % 2 {eq} {}", pick % 2),
    }
}
