//! The Ratings page's plots, drawn by plotters as SVG documents: each rater's score histogram,
//! predictions against scores, the ranking's strengths with their intervals, and the raters'
//! means and spreads with their agreement. The page shows the SVG as it is and the user can
//! save it; the CLI could write the same files.

use crate::stats;
use image_scorer_protocol::{PersonalModel, Plot, PlotKind};
use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;

/// Width and height of every plot, in SVG pixels (the page scales it to its column).
const SIZE: (u32, u32) = (720, 400);
/// At most this many strengths are drawn (evenly spaced ranks beyond).
const MAX_STRENGTHS: usize = 1500;

/// One colour per rater, in the order given (repeating after eight).
const COLOURS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

fn colour(k: usize) -> RGBColor {
    COLOURS[k % COLOURS.len()]
}

type Drawn = Result<(), Box<dyn std::error::Error>>;

/// Draws with `draw` onto a fresh white SVG document of [`SIZE`]; the document, or an empty
/// one when drawing failed.
fn svg(draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Drawn) -> String {
    let mut out = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        let drawn: Drawn = root
            .fill(&WHITE)
            .map_err(Into::into)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(Into::into));
        drawn
    };
    match drawn {
        Ok(()) => out,
        Err(_) => String::new(),
    }
}

/// The frame every plot shares: its caption, margins and room for the axes' labels; the plot
/// builds its own coordinates on it.
fn frame<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    caption: &str,
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut builder = ChartBuilder::on(root);
    builder
        .caption(caption, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(48);
    builder
}

/// The axes every plot shares (fonts, no light grid lines); the plot adds its descriptions
/// and labels, then draws them.
fn axes<'a, 'b, X, Y, XT, YT, DB>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
    DB: DrawingBackend,
{
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(TRANSPARENT)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15));
    mesh
}

/// The legend every plot with several series shares, at `position`.
fn legend<'a, X, Y, DB>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> Drawn
where
    X: Ranged,
    Y: Ranged,
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

fn nothing(kind: PlotKind, title: &str, note: &str) -> Plot {
    Plot {
        kind,
        title: title.into(),
        svg: String::new(),
        note: note.into(),
    }
}

/// How often each score was given, per rater: bars for 1-10 (a decimal score counts in the
/// bar of its whole part), side by side. `raters`: (name, current scores).
pub fn histogram(raters: &[(String, Vec<f64>)]) -> Plot {
    let title = "Scores per rater";
    let raters: Vec<&(String, Vec<f64>)> = raters.iter().filter(|(_, s)| !s.is_empty()).collect();
    if raters.is_empty() {
        return nothing(
            PlotKind::Histogram,
            title,
            "No scores yet: score some images first.",
        );
    }
    let counts: Vec<[u32; 10]> = raters
        .iter()
        .map(|(_, scores)| {
            let mut bins = [0u32; 10];
            for s in scores {
                bins[(s.floor().clamp(1.0, 10.0) as usize) - 1] += 1;
            }
            bins
        })
        .collect();
    let top = counts.iter().flatten().copied().max().unwrap_or(1).max(1);
    let width = 0.8 / raters.len() as f64;
    let document = svg(|root| {
        let mut chart =
            frame(root, title).build_cartesian_2d(0.5f64..10.5f64, 0u32..(top + top / 10 + 1))?;
        axes(&mut chart)
            .disable_x_mesh()
            .x_labels(10)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc("score")
            .y_desc("images")
            .draw()?;
        for (k, ((name, _), bins)) in raters.iter().zip(&counts).enumerate() {
            let c = colour(k);
            chart
                .draw_series(bins.iter().enumerate().map(|(b, &n)| {
                    let left = b as f64 + 1.0 - 0.4 + k as f64 * width;
                    Rectangle::new([(left, 0), (left + width, n)], c.filled())
                }))?
                .label(name.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], c.filled()));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    });
    let note = raters
        .iter()
        .map(|(name, scores)| {
            let (mean, sd) = stats::mean_sd(scores).unwrap_or_default();
            format!(
                "{name}: {} scores, mean {mean:.2}, sd {sd:.2}",
                scores.len()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Plot {
        kind: PlotKind::Histogram,
        title: title.into(),
        svg: document,
        note,
    }
}

/// The pack's prediction (x) against the mean score (y) of each image that has both, with the
/// diagonal, Pearson's and Spearman's correlations and the mean absolute error.
pub fn predicted(pack: Option<&str>, points: &[(f64, f64)]) -> Plot {
    let title = "Predicted against scored";
    let Some(pack) = pack else {
        return nothing(
            PlotKind::Predicted,
            title,
            "No model pack is active: install one to compare its predictions with the scores.",
        );
    };
    if points.len() < 3 {
        return nothing(
            PlotKind::Predicted,
            title,
            "Fewer than three scored images have a prediction yet.",
        );
    }
    let (x, y): (Vec<f64>, Vec<f64>) = points.iter().copied().unzip();
    let number = |v: Option<f64>| v.map_or("–".to_owned(), |v| format!("{v:.3}"));
    let note = format!(
        "{} images; Pearson {}, Spearman {}, MAE {}",
        points.len(),
        number(stats::pearson(&x, &y)),
        number(stats::spearman(&x, &y)),
        number(stats::mae(&x, &y)),
    );
    let document = svg(|root| {
        let mut chart = frame(root, &format!("{title} ({pack})"))
            .build_cartesian_2d(0.5f64..10.5f64, 0.5f64..10.5f64)?;
        axes(&mut chart)
            .x_desc("predicted")
            .y_desc("mean score")
            .draw()?;
        chart.draw_series(LineSeries::new(
            [(1.0, 1.0), (10.0, 10.0)],
            BLACK.mix(0.4).stroke_width(1),
        ))?;
        chart.draw_series(
            points
                .iter()
                .map(|&(p, s)| Circle::new((p, s), 3, colour(0).mix(0.6).filled())),
        )?;
        Ok(())
    });
    Plot {
        kind: PlotKind::Predicted,
        title: title.into(),
        svg: document,
        note,
    }
}

/// The ranking's strengths, strongest first, each with its 95 % interval (± 1.96 standard
/// errors); `entries` are (strength, standard error) in rank order.
pub fn strengths(scope: &str, entries: &[(f64, f64)]) -> Plot {
    let title = "Ranking strengths";
    if entries.len() < 2 {
        return nothing(
            PlotKind::Strengths,
            title,
            "The ranking needs at least two images.",
        );
    }
    let step = entries.len().div_ceil(MAX_STRENGTHS).max(1);
    let drawn: Vec<(usize, f64, f64)> = entries
        .iter()
        .enumerate()
        .step_by(step)
        .map(|(k, &(s, se))| (k + 1, s, 1.96 * se))
        .collect();
    let low = drawn
        .iter()
        .map(|(_, s, e)| s - e)
        .fold(f64::INFINITY, f64::min);
    let high = drawn
        .iter()
        .map(|(_, s, e)| s + e)
        .fold(f64::NEG_INFINITY, f64::max);
    let pad = ((high - low) * 0.05).max(1e-3);
    let document = svg(|root| {
        let mut chart = frame(root, &format!("{title} ({scope})"))
            .build_cartesian_2d(0usize..entries.len() + 1, (low - pad)..(high + pad))?;
        axes(&mut chart)
            .x_desc("rank")
            .y_desc("strength (95 % interval)")
            .draw()?;
        let c = colour(0);
        chart.draw_series(drawn.iter().map(|&(k, s, e)| {
            ErrorBar::new_vertical(k, s - e, s, s + e, c.mix(0.5).filled(), 3)
        }))?;
        chart.draw_series(
            drawn
                .iter()
                .map(|&(k, s, _)| Circle::new((k, s), 2, c.filled())),
        )?;
        Ok(())
    });
    let sampled = if step > 1 {
        format!(" (every {step}th drawn)")
    } else {
        String::new()
    };
    Plot {
        kind: PlotKind::Strengths,
        title: title.into(),
        svg: document,
        note: format!("{} images{sampled}", entries.len()),
    }
}

/// Each rater's mean score with ± one standard deviation, and Krippendorff's alpha over the
/// images scored by two of them or more. `raters`: (name, mean, sd, scores).
pub fn agreement(raters: &[(String, f64, f64, u32)], alpha: Option<f64>, pairable: u32) -> Plot {
    let title = "Raters: mean and spread";
    if raters.len() < 2 {
        return nothing(
            PlotKind::Agreement,
            title,
            "Agreement needs two raters or more with scores.",
        );
    }
    let note = match alpha {
        Some(a) => format!(
            "Krippendorff's alpha (interval) {a:.3} over {pairable} images scored by two raters or more"
        ),
        None => format!(
            "Krippendorff's alpha needs images scored by two raters or more ({pairable} so far)"
        ),
    };
    let document = svg(|root| {
        let mut chart = frame(root, title)
            .build_cartesian_2d(-0.5f64..raters.len() as f64 - 0.5, 0.5f64..10.5f64)?;
        let names: Vec<String> = raters.iter().map(|r| r.0.clone()).collect();
        axes(&mut chart)
            .disable_x_mesh()
            .x_labels(raters.len())
            .x_label_formatter(&|x| {
                let k = x.round();
                if (x - k).abs() < 1e-6 && k >= 0.0 {
                    names.get(k as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc("score (mean ± sd)")
            .draw()?;
        for (k, (_, mean, sd, _)) in raters.iter().enumerate() {
            let c = colour(k);
            let x = k as f64;
            chart.draw_series(std::iter::once(ErrorBar::new_vertical(
                x,
                mean - sd,
                *mean,
                mean + sd,
                c.filled(),
                12,
            )))?;
            chart.draw_series(std::iter::once(Circle::new((x, *mean), 5, c.filled())))?;
        }
        Ok(())
    });
    Plot {
        kind: PlotKind::Agreement,
        title: title.into(),
        svg: document,
        note,
    }
}

/// One rater's own model as their scores grew: its cross-validated Spearman at each number of
/// scores, and the pack head's on the same scores when the pack has one. `rater` is `None` when
/// the raters chosen are not exactly one.
pub fn own_model(rater: Option<&str>, model: &PersonalModel) -> Plot {
    let title = "Your own model as your scores grew";
    let Some(rater) = rater else {
        return nothing(
            PlotKind::OwnModel,
            title,
            "Tick one rater to see their own model as their scores grew.",
        );
    };
    let curve = &model.curve;
    let (Some(first), Some(last)) = (curve.first(), curve.last()) else {
        return nothing(
            PlotKind::OwnModel,
            title,
            &format!(
                "{rater}'s own model needs 8 scores of images the model pack has embedded ({} so far).",
                model.ratings
            ),
        );
    };
    let head = model.has_head;
    let low = curve
        .iter()
        .flat_map(|q| [q.spearman, if head { q.head_spearman } else { q.spearman }])
        .fold(0.0f64, f64::min);
    let (from, to) = (first.ratings, last.ratings.max(first.ratings + 1));
    let document = svg(|root| {
        let mut chart = frame(root, &format!("{title} ({rater})"))
            .build_cartesian_2d(from..to, (low - 0.05)..1.0)?;
        axes(&mut chart)
            .x_desc("scores")
            .y_desc("Spearman (cross-validated)")
            .draw()?;
        let mut lines = vec![(
            "your model",
            0,
            curve
                .iter()
                .map(|q| (q.ratings, q.spearman))
                .collect::<Vec<_>>(),
        )];
        if head {
            lines.push((
                "the pack's head",
                1,
                curve.iter().map(|q| (q.ratings, q.head_spearman)).collect(),
            ));
        }
        for (name, k, points) in lines {
            let c = colour(k);
            chart
                .draw_series(LineSeries::new(points.iter().copied(), c.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 14, y)], c.stroke_width(2))
                });
            chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    });
    let rival = if head {
        format!(
            "the pack's head: Spearman {:.2}, error {:.2}",
            last.head_spearman, last.head_mae
        )
    } else {
        format!("always your mean: error {:.2}", last.mean_mae)
    };
    Plot {
        kind: PlotKind::OwnModel,
        title: title.into(),
        svg: document,
        note: format!(
            "{rater}, {} scores: Spearman {:.2}, mean error {:.2} ({rival})",
            last.ratings, last.spearman, last.mae
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plots_are_svg_documents_with_their_data() {
        let h = histogram(&[
            ("ana".into(), vec![7.0, 7.5, 3.0]),
            ("ben".into(), vec![9.0]),
        ]);
        assert!(
            h.svg.starts_with("<svg"),
            "{}",
            &h.svg[..h.svg.len().min(80)]
        );
        assert!(h.svg.contains("ana") && h.svg.contains("ben"));
        assert!(h.note.contains("ana: 3 scores"), "{}", h.note);
        // Seven bars for ana and one for ben, plus the two legend boxes, are filled rectangles
        // in their colours (zero-height bars are drawn too: 10 per rater).
        let blue = h.svg.matches("fill=\"#1F77B4\"").count();
        assert!(blue >= 10, "{blue}");

        let p = predicted(
            Some("pack"),
            &[(5.0, 6.0), (6.0, 7.0), (7.0, 7.5), (8.0, 9.0)],
        );
        assert!(p.note.starts_with("4 images; Pearson 0.9"), "{}", p.note);
        assert_eq!(p.svg.matches("<circle").count(), 4);
        assert!(predicted(None, &[]).svg.is_empty());

        let s = strengths("everyone", &[(1.0, 0.2), (0.5, 0.1), (-0.2, 0.3)]);
        // A dot per strength (the error bars mark their middles with small ones of their own).
        assert_eq!(s.svg.matches("r=\"2\"").count(), 3);
        assert_eq!(strengths("x", &[]).svg, "");

        let a = agreement(
            &[("a".into(), 6.0, 1.0, 10), ("b".into(), 7.0, 2.0, 12)],
            Some(0.71),
            8,
        );
        assert!(a.note.contains("0.710 over 8 images"), "{}", a.note);
        assert!(a.svg.contains(">\na\n</text>") && a.svg.contains(">\nb\n</text>"));
    }

    #[test]
    fn names_in_plots_are_escaped() {
        let h = histogram(&[("<script>&".into(), vec![5.0])]);
        assert!(
            !h.svg.contains("<script>"),
            "a rater's name is text, not markup"
        );
    }
}
