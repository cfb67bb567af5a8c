//! The team queue's rule on the Ratings page, to read and (for the desktop's owner or a team's
//! admin) to change; how far the team has come is a row of the numbers (`TeamProgress::summary`).

use crate::api;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::{GetQueueRule, SetQueueRule};
use image_scorer_protocol::QueueRule;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The value of the input `id` as a number, if it is one.
fn number(id: &str) -> Option<f64> {
    let input = web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .dyn_into::<HtmlInputElement>()
        .ok()?;
    input.value().trim().parse().ok()
}

/// Whether the tick box `id` is ticked.
fn ticked(id: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// The rule's form: overlap, the disagreement rule, the reservation's length; saved with
/// the button (the app checks it and says what is wrong).
#[function_component]
pub fn QueueRuleForm() -> Html {
    let app = use_app();
    let rule = use_state(|| None::<QueueRule>);
    let saved = use_state(String::new);
    {
        let (rule, model) = (rule.clone(), app.model.clone());
        use_effect_with(app.model.revision, move |_| {
            spawn_local(async move {
                match api::call(GetQueueRule {}).await {
                    Ok(r) => rule.set(Some(r)),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        });
    }
    let save = {
        let (rule, saved, model) = (rule.clone(), saved.clone(), app.model.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(old) = *rule else { return };
            let new = QueueRule {
                overlap: number("queue-overlap").map_or(old.overlap, |v| v as u32),
                spread: ticked("queue-disagree").then(|| number("queue-spread").unwrap_or(1.5)),
                max_raters: number("queue-max").map_or(old.max_raters, |v| v as u32),
                lease_seconds: number("queue-lease")
                    .map_or(old.lease_seconds, |m| (m * 60.0).round() as u32),
            };
            let (rule, saved, model) = (rule.clone(), saved.clone(), model.clone());
            spawn_local(async move {
                match api::call(SetQueueRule { rule: new }).await {
                    Ok(r) => {
                        rule.set(Some(r));
                        saved.set("Saved: every rater's queue follows it now.".into());
                    }
                    Err(e) => {
                        saved.set(String::new());
                        model.dispatch(Action::Failed(e));
                    }
                }
            });
        })
    };
    let Some(r) = *rule else {
        return html! {};
    };
    html! {
        <form class="queue-rule" id="queue-rule" onsubmit={save}>
            <h3>{ "Team queue" }</h3>
            <label>{ "Raters per image " }
                <input type="number" id="queue-overlap" min="1" max="100" value={r.overlap.to_string()} /></label>
            <label><input type="checkbox" id="queue-disagree" checked={r.spread.is_some()} />
                { " more while scores spread over " }
                <input type="number" id="queue-spread" min="0.1" max="9.9" step="any"
                    value={r.spread.unwrap_or(1.5).to_string()} />
                { " points (standard deviation), up to " }
                <input type="number" id="queue-max" min="1" max="100" value={r.max_raters.to_string()} />
                { " raters" }</label>
            <label>{ "Reserve an image for its rater " }
                <input type="number" id="queue-lease" min="0.1" max="1440" step="any"
                    value={(f64::from(r.lease_seconds) / 60.0).to_string()} />{ " minutes" }</label>
            <button type="submit" id="queue-save">{ "Save rule" }</button>
            <span class="note" aria-live="polite">{ (*saved).clone() }</span>
        </form>
    }
}
