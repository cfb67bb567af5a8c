//! The rater's own model in a line: how good it is by cross-validation (Spearman and mean
//! error, next to the pack's), or how many more scores it needs, asked again as the rater's
//! count of scored images moves.

use crate::api;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::GetPersonalModel;
use image_scorer_protocol::PersonalModel;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// Fewer scores than this give no quality figures (the core's minimum).
const MIN_RATINGS: u32 = 8;

/// Props of [`OwnModel`].
#[derive(Properties, PartialEq)]
pub struct OwnModelProps {
    /// The rater's count of scored images: the line is asked again when it moves.
    pub rated: u32,
    /// Told each answer (the Rate page asks its image again once the model is better).
    #[prop_or_default]
    pub on_model: Callback<PersonalModel>,
}

/// What the line says of `model`, and its longer explanation.
pub fn own_model_text(model: &PersonalModel) -> (String, String) {
    match &model.quality {
        Some(q) => {
            let versus = if model.has_head {
                format!(
                    "the pack's head: Spearman {:.2}, error {:.2}",
                    q.head_spearman, q.head_mae
                )
            } else {
                format!("always guessing your mean score: error {:.2}", q.mean_mae)
            };
            let verdict = if model.better_than_pack {
                "Rate starts from it."
            } else {
                "Rate starts from the pack until it is better."
            };
            (
                format!("Your model: ρ {:.2} · ±{:.2} · {} scores", q.spearman, q.mae, q.ratings),
                format!(
                    "Learned from your scores, tested on scores it was not fitted on (10-fold \
                     cross-validation): Spearman {:.2}, mean error {:.2} points; {versus}. {verdict}",
                    q.spearman, q.mae
                ),
            )
        }
        None => (
            format!(
                "Your model: learns from {MIN_RATINGS} scores ({} so far)",
                model.ratings
            ),
            "Your own model of your taste, learned from the images you score (once the model \
             pack has embedded them)."
                .into(),
        ),
    }
}

/// The line; see the module.
#[function_component]
pub fn OwnModel(props: &OwnModelProps) -> Html {
    let app = use_app();
    let model = use_state(|| None::<PersonalModel>);
    {
        let model = model.clone();
        let rater = app.model.rater.name.clone();
        let app_model = app.model.clone();
        let on_model = props.on_model.clone();
        // Asked again as the pack embeds more images too: scores given before their images
        // were embedded join the model then, with no new score to ask for it.
        use_effect_with(
            (
                props.rated,
                rater,
                app.model.pack_revision,
                app.model.prediction_revision,
            ),
            move |(_, rater, _, _)| {
                let rater = rater.clone();
                if !rater.is_empty() {
                    spawn_local(async move {
                        // The model refits in the background: asked again each second until
                        // it has taken in every score (a minute at most).
                        for _ in 0..60 {
                            match api::call(GetPersonalModel {
                                rater: rater.clone(),
                            })
                            .await
                            {
                                Ok(m) => {
                                    let settled = m.settled;
                                    on_model.emit(m.clone());
                                    model.set(Some(m));
                                    if settled {
                                        return;
                                    }
                                }
                                Err(e) => return app_model.dispatch(Action::Failed(e)),
                            }
                            gloo_timers::future::TimeoutFuture::new(1000).await;
                        }
                    });
                }
            },
        );
    }
    let Some(m) = &*model else {
        return html! {};
    };
    let (text, title) = own_model_text(m);
    let class = classes!("own-model", m.better_than_pack.then_some("better"));
    html! {
        <span id="own-model" {class} {title} data-ratings={m.ratings.to_string()}
            data-settled={m.settled.to_string()}>{ text }</span>
    }
}
