//! The numbers and the plots: counts, each rater's mean and spread, their agreement, the
//! predictions against the scores, one rater's own model as their scores grew; five plots
//! drawn by the app as SVG, each savable.

use super::raters::RaterChoice;
use crate::api;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::{GetPlot, GetRatingStats, SavePlot};
use image_scorer_protocol::{Plot, PlotKind, RatingStats};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

fn number(v: Option<f64>) -> String {
    v.map_or("–".to_owned(), |v| format!("{v:.3}"))
}

/// The numbers and the plots.
#[function_component]
pub fn Plots() -> Html {
    let app = use_app();
    let raters = use_state(Vec::<String>::new);
    let stats = use_state(|| None::<RatingStats>);
    let plots = use_state(Vec::<Plot>::new);
    let saved = use_state(String::new);
    {
        let (stats, plots, model) = (stats.clone(), plots.clone(), app.model.clone());
        // Other raters' judgements move the counts: read again at most every two seconds.
        let judged = crate::hooks::use_settled(app.model.judged_revision, 2000);
        use_effect_with(
            ((*raters).clone(), app.model.revision, judged),
            move |(raters, _, _)| {
                let raters = raters.clone();
                spawn_local(async move {
                    match api::call(GetRatingStats {
                        raters: raters.clone(),
                    })
                    .await
                    {
                        Ok(s) => stats.set(Some(s)),
                        Err(e) => model.dispatch(Action::Failed(e)),
                    }
                    let mut drawn = Vec::new();
                    for kind in PlotKind::ALL {
                        match api::call(GetPlot {
                            kind,
                            raters: raters.clone(),
                        })
                        .await
                        {
                            Ok(p) => drawn.push(p),
                            Err(e) => model.dispatch(Action::Failed(e)),
                        }
                    }
                    plots.set(drawn);
                });
            },
        );
    }
    let save = {
        let (raters, saved, model) = (raters.clone(), saved.clone(), app.model.clone());
        Callback::from(move |kind: PlotKind| {
            let (raters, saved, model) = ((*raters).clone(), saved.clone(), model.clone());
            spawn_local(async move {
                let plot = GetPlot { kind, raters };
                match api::call(SavePlot { plot }).await {
                    Ok(Some(path)) => saved.set(format!("Saved {path}")),
                    Ok(None) => {}
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        })
    };
    let on_raters = {
        let raters = raters.clone();
        Callback::from(move |r: Vec<String>| raters.set(r))
    };
    html! {
        <div class="plots-view" id="plots-view">
            <RaterChoice chosen={(*raters).clone()} on_change={on_raters} />
            if let Some(s) = &*stats {
                <table class="stats" id="rating-stats">
                    <tr><th>{ "Images" }</th><td>{ format!("{} ({} scored{})", s.images, s.scored,
                        if s.absent > 0 { format!(", {} known only from an import", s.absent) } else { String::new() }) }</td></tr>
                    <tr><th>{ "Scores, comparisons" }</th><td>{ format!("{}, {}", s.scores, s.comparisons) }</td></tr>
                    { for s.raters.iter().map(|r| html! {
                        <tr class="rater-row"><th>{ r.name.clone() }</th><td>{ format!("{} scored, mean {}, sd {}, {} comparisons",
                            r.scored, number(r.mean), number(r.sd), r.comparisons) }</td></tr>
                    }) }
                    <tr><th>{ "Agreement" }</th><td id="stats-agreement">{ format!("Krippendorff's alpha (interval) {} over {} images scored by two raters or more",
                        number(s.agreement), s.pairable) }</td></tr>
                    <tr><th>{ "Team" }</th><td id="stats-team">{ s.team.summary() }</td></tr>
                    if let Some(p) = &s.prediction {
                        <tr><th>{ "Predictions" }</th><td id="stats-prediction">{ format!("{} against the mean score, {} images: Pearson {}, Spearman {}, MAE {}",
                            p.pack, p.n, number(p.pearson), number(p.spearman), number(p.mae)) }</td></tr>
                    }
                </table>
            }
            <super::team::QueueRuleForm />
            <p class="note" aria-live="polite">{ (*saved).clone() }</p>
            <div class="plots">
                { for plots.iter().map(|p| {
                    let kind = p.kind;
                    html! {
                        <figure class="plot" id={format!("plot-{}", p.kind.as_str())}>
                            if p.svg.is_empty() {
                                <div class="plot-empty"><h3>{ p.title.clone() }</h3></div>
                            } else {
                                // The app's own SVG (plotters escapes every text in it).
                                <div class="plot-svg">{ Html::from_html_unchecked(AttrValue::from(p.svg.clone())) }</div>
                            }
                            <figcaption>
                                <span class="note">{ p.note.clone() }</span>
                                if !p.svg.is_empty() {
                                    <button onclick={save.reform(move |_| kind)} title="Save this plot as an SVG file">{ "Save SVG…" }</button>
                                }
                            </figcaption>
                        </figure>
                    }
                }) }
            </div>
        </div>
    }
}
