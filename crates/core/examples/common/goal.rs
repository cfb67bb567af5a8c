//! The benchmarks' verdict lines, in the form scripts read.

/// `goal: <name> = <value> (target <op> <bound>): met` (or `missed`). `op` is `<` or `>=`.
pub fn goal_line(name: &str, value: f64, op: &str, bound: f64) -> String {
    let met = match op {
        "<" => value < bound,
        ">=" => value >= bound,
        _ => panic!("unknown goal operator {op}"),
    };
    let verdict = if met { "met" } else { "missed" };
    format!("goal: {name} = {value:.2} (target {op} {bound}): {verdict}")
}
