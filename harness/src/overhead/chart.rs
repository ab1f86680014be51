//! `overhead.svg`: fan-out cost against branch count, with the parallel curve, the
//! sequential curve and the floor line, drawn with plotters' SVG backend (no fonts needed).

use plotters::prelude::*;

use super::fanout::Row;

/// The chart as SVG text, or `None` when the run has no fan-out rows.
pub fn render(rows: &[Row], cores: usize) -> Option<Result<String, String>> {
    if rows.is_empty() {
        return None;
    }
    let mut svg = String::new();
    let result = draw(rows, cores, &mut svg).map_err(|e| e.to_string());
    Some(result.map(|()| svg))
}

/// An x label: the branch count at a whole power of two, nothing between.
fn branch_label(x: &f64) -> String {
    let n = x.exp2();
    if (n - n.round()).abs() < 1e-6 && n >= 1.0 {
        format!("{n:.0}")
    } else {
        String::new()
    }
}

fn draw<'a>(
    rows: &[Row],
    cores: usize,
    svg: &'a mut String,
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    // x is log2(N), so the branch counts 1, 2, 4, ... 32 sit evenly apart.
    let x = |n: usize| (n as f64).log2();
    let max_x = rows.iter().map(|r| x(r.n)).fold(1.0_f64, f64::max);
    let max_y = rows
        .iter()
        .flat_map(|r| [r.parallel_cost.mid, r.sequential_cost.mid, r.floor.mid])
        .fold(1.0_f64, f64::max)
        * 1.1;
    let root = SVGBackend::with_string(svg, (720, 440)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Fan-out cost against branch count ({cores} cores)"),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(-0.2..max_x + 0.2, 0.0..max_y)?;
    chart
        .configure_mesh()
        .x_desc("branches (N)")
        .y_desc("fan-out cost per run, µs")
        .x_labels(rows.len() + 2)
        .x_label_formatter(&branch_label)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .light_line_style(WHITE)
        .draw()?;
    let series = [
        (
            "parallel",
            RED,
            rows.iter()
                .map(|r| (x(r.n), r.parallel_cost.mid))
                .collect::<Vec<_>>(),
        ),
        (
            "sequential (1 thread)",
            BLUE,
            rows.iter()
                .map(|r| (x(r.n), r.sequential_cost.mid))
                .collect(),
        ),
        (
            "floor: N × branch ÷ cores + hand-off",
            BLACK,
            rows.iter().map(|r| (x(r.n), r.floor.mid)).collect(),
        ),
    ];
    for (label, color, points) in series {
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        chart.draw_series(
            points
                .into_iter()
                .map(|p| Circle::new(p, 3, color.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}
