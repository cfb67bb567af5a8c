//! One trial: the one, two or four images a person judges at once, as large as the window
//! allows, numbered by screen position when there are several. The next images are loaded
//! ahead; one image can be zoomed; an image the webview cannot display is reported to the app
//! (it becomes unreadable and leaves every queue) and to the page, which replaces it. Fingers
//! tap, double-tap, hold, swipe and pinch over the images ([`crate::gestures`]); the page
//! decides what each does.

use crate::api;
use crate::gestures::{Gesture, Gestures, Pointer, HOLD_MS};
use crate::state::{Action, AppContext};
use image_scorer_protocol::commands::ImageFailed;
use image_scorer_protocol::QueueItem;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// Properties of [`Trial`].
#[derive(Properties, PartialEq, Clone)]
pub struct TrialProps {
    /// The prefix of the element ids: `<id>-stage`, and `<id>-image` for one image or
    /// `<id>-image-<n>` (n from 1) for several.
    pub id: AttrValue,
    /// The images in screen order: one, two, or four (a 2 × 2 grid in reading order).
    pub images: Vec<QueueItem>,
    /// The position of the zoomed image, if one is.
    #[prop_or_default]
    pub zoomed: Option<usize>,
    /// The images to load ahead, by SHA-1.
    #[prop_or_default]
    pub preload: Vec<String>,
    /// A click on the image at this position (a mouse's: a finger's tap is a gesture).
    #[prop_or_default]
    pub on_click: Callback<usize>,
    /// A gesture over the images.
    #[prop_or_default]
    pub on_gesture: Callback<Gesture>,
    /// The image at this position could not be displayed (already reported to the app).
    #[prop_or_default]
    pub on_failed: Callback<usize>,
}

/// Shows a trial; see the module.
#[function_component]
pub fn Trial(props: &TrialProps) -> Html {
    let context = use_context::<AppContext>();
    // An image is reported once, even if the webview tells of its failure again.
    let reported = use_mut_ref(std::collections::HashSet::<String>::new);
    let several = props.images.len() > 1;
    let gestures = use_mut_ref(Gestures::default);
    let hold_timers =
        use_mut_ref(std::collections::HashMap::<i32, gloo_timers::callback::Timeout>::new);
    let figures = props.images.iter().enumerate().map(|(position, item)| {
        let failed = {
            let on_failed = props.on_failed.clone();
            let sha1 = item.sha1.clone();
            let context = context.clone();
            let reported = reported.clone();
            Callback::from(move |_| {
                if !reported.borrow_mut().insert(sha1.clone()) {
                    return;
                }
                on_failed.emit(position);
                let sha1 = sha1.clone();
                let context = context.clone();
                spawn_local(async move {
                    if let Err(e) = api::call(ImageFailed { sha1 }).await {
                        if let Some(c) = context {
                            c.model.dispatch(Action::Failed(e));
                        }
                    }
                });
            })
        };
        let click = {
            let on_click = props.on_click.clone();
            let gestures = gestures.clone();
            Callback::from(move |e: MouseEvent| {
                if gestures.borrow_mut().take_click(e.time_stamp()) {
                    on_click.emit(position);
                }
            })
        };
        let pointer = pointer_handlers(position, &gestures, &hold_timers, &props.on_gesture);
        let zoomed = props.zoomed == Some(position);
        let hidden = several && props.zoomed.is_some() && !zoomed;
        let (figure_id, image_id) = if several {
            (
                format!("{}-figure-{}", props.id, position + 1),
                format!("{}-image-{}", props.id, position + 1),
            )
        } else {
            (format!("{}-stage", props.id), format!("{}-image", props.id))
        };
        html! {
            <figure key={item.sha1.clone()} id={figure_id} hidden={hidden}
                class={classes!("stage", zoomed.then_some("zoomed"))} data-position={position.to_string()}>
                // Decoded before its frame is painted (ahead, for the preloaded ones): the
                // frame that shows the image shows all of it, never an empty box first.
                <img id={image_id} src={api::image_url(&item.sha1)} decoding="sync"
                    alt={item.name.clone()} data-sha1={item.sha1.clone()} draggable="false"
                    onerror={failed} onload={Callback::from(|_| image_ready())}
                    onclick={click} onpointerdown={pointer.down} onpointermove={pointer.moved}
                    onpointerup={pointer.up} onpointercancel={pointer.cancel} />
                <figcaption>
                    if several { <span class="position">{ position + 1 }</span> }
                    { &item.name }
                </figcaption>
            </figure>
        }
    });
    let preload = use_deferred(props.preload.clone(), PRELOAD_AFTER_MS)
        .iter()
        .map(|sha1| html! {
            <img key={sha1.clone()} src={api::image_url(sha1)} alt="" onload={Callback::from(decode)} />
        })
        .collect::<Vec<_>>();
    html! {
        <>
            if several {
                <div class={classes!("trial", format!("trial-{}", props.images.len()),
                        props.zoomed.is_some().then_some("zoomed"))} id={format!("{}-stage", props.id)}>
                    { for figures }
                </div>
            } else {
                { for figures }
            }
            <div class="preload" aria-hidden="true">{ for preload }</div>
        </>
    }
}

/// The pointer handlers of one image.
struct PointerHandlers {
    down: Callback<PointerEvent>,
    moved: Callback<PointerEvent>,
    up: Callback<PointerEvent>,
    cancel: Callback<PointerEvent>,
}

type HoldTimers =
    std::rc::Rc<std::cell::RefCell<std::collections::HashMap<i32, gloo_timers::callback::Timeout>>>;

/// Feeds the image at `position`'s pointer events to the shared recogniser and emits what it
/// recognises; a touch held still becomes a hold when its timer runs out.
fn pointer_handlers(
    position: usize,
    gestures: &std::rc::Rc<std::cell::RefCell<Gestures>>,
    timers: &HoldTimers,
    on_gesture: &Callback<Gesture>,
) -> PointerHandlers {
    let down = {
        let (gestures, timers, on_gesture) = (gestures.clone(), timers.clone(), on_gesture.clone());
        Callback::from(move |e: PointerEvent| {
            let kind = Pointer::of(&e.pointer_type());
            let id = e.pointer_id();
            if kind == Pointer::Mouse && e.button() != 0 {
                return;
            }
            if let Some(target) = e
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
            {
                // Moves outside the image still belong to this stroke.
                let _ = target.set_pointer_capture(id);
            }
            let (x, y) = (f64::from(e.client_x()), f64::from(e.client_y()));
            gestures
                .borrow_mut()
                .down(id, kind, position, x, y, e.time_stamp());
            if kind == Pointer::Touch {
                let (gestures, on_gesture) = (gestures.clone(), on_gesture.clone());
                let timer = gloo_timers::callback::Timeout::new(HOLD_MS, move || {
                    let held = gestures.borrow_mut().held(id);
                    if let Some(g) = held {
                        on_gesture.emit(g);
                    }
                });
                timers.borrow_mut().insert(id, timer);
            }
        })
    };
    let moved = {
        let (gestures, on_gesture) = (gestures.clone(), on_gesture.clone());
        Callback::from(move |e: PointerEvent| {
            let pinch = gestures.borrow_mut().moved(
                e.pointer_id(),
                f64::from(e.client_x()),
                f64::from(e.client_y()),
            );
            if let Some(g) = pinch {
                on_gesture.emit(g);
            }
        })
    };
    let up = {
        let (gestures, timers, on_gesture) = (gestures.clone(), timers.clone(), on_gesture.clone());
        Callback::from(move |e: PointerEvent| {
            timers.borrow_mut().remove(&e.pointer_id());
            let done = gestures.borrow_mut().up(
                e.pointer_id(),
                f64::from(e.client_x()),
                f64::from(e.client_y()),
                e.time_stamp(),
            );
            if let Some(g) = done {
                on_gesture.emit(g);
            }
        })
    };
    let cancel = {
        let (gestures, timers) = (gestures.clone(), timers.clone());
        Callback::from(move |e: PointerEvent| {
            timers.borrow_mut().remove(&e.pointer_id());
            gestures.borrow_mut().cancel(e.pointer_id());
        })
    };
    PointerHandlers {
        down,
        moved,
        up,
        cancel,
    }
}

/// How long after the images change the next ones start loading: the image just shown is
/// painted first, without new loads competing with it.
const PRELOAD_AFTER_MS: u32 = 100;

/// Decodes a loaded image ahead of its showing: the decoded pixels stay with the image's
/// cached copy, which the shown image then uses.
fn decode(event: Event) {
    if let Some(img) = event
        .target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlImageElement>(t).ok())
    {
        let decoding = wasm_bindgen_futures::JsFuture::from(img.decode());
        // A failure here fails the shown image too, which reports it.
        spawn_local(async move {
            let _ = decoding.await;
        });
    }
}

/// `value`, `delay_ms` after it last changed (the previous value until then).
#[hook]
fn use_deferred<T: Clone + PartialEq + 'static>(value: T, delay_ms: u32) -> T {
    let deferred = use_state(|| value.clone());
    {
        let deferred = deferred.setter();
        use_effect_with(value, move |value| {
            let value = value.clone();
            let timer = gloo_timers::callback::Timeout::new(delay_ms, move || deferred.set(value));
            // Dropping the timer cancels it: a value replaced within the delay is never applied.
            move || drop(timer)
        });
    }
    (*deferred).clone()
}

/// A performance mark (the latency benchmark reads them).
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Marks a key press: `trial-key-event` at the time the browser created the event, and
/// `trial-key` now, when the page handles it (the benchmark splits the time there).
pub fn mark_key(event_time: f64) {
    let Some(performance) = web_sys::window().and_then(|w| w.performance()) else {
        return;
    };
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"startTime".into(), &event_time.into());
    if let Ok(mark) = js_sys::Reflect::get(&performance, &"mark".into()) {
        if let Some(mark) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Function>(&mark) {
            let _ = mark.call2(&performance, &"trial-key-event".into(), &options);
        }
    }
    mark("trial-key");
}

/// The image loaded: `trial-image-ready` now, `trial-frame` when the frame that shows it starts,
/// and `trial-painted` once that frame has been painted. A `requestAnimationFrame` callback runs
/// before its frame's paint, so the last mark waits for the callback of the frame after it.
fn image_ready() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    mark("trial-image-ready");
    let Some(window) = web_sys::window() else {
        return;
    };
    let next = window.clone();
    let after_paint = Closure::once_into_js(move || {
        mark("trial-frame");
        let painted = Closure::once_into_js(|| mark("trial-painted"));
        let _ = next.request_animation_frame(painted.unchecked_ref());
    });
    let _ = window.request_animation_frame(after_paint.unchecked_ref());
}
