//! What the browser tests set in the stub and read back from it.

use super::*;

/// Sends the event `name` with `payload`, which must be that event's payload type.
pub fn emit(name: &str, payload: JsValue) {
    let valid = match name {
        LibraryChanged::NAME => decode::<LibraryState>(payload.clone()).is_some(),
        ScanProgress::NAME => decode::<ScanStatus>(payload.clone()).is_some(),
        BackgroundError::NAME => decode::<AppError>(payload.clone()).is_some(),
        PredictorChanged::NAME => decode::<PredictorState>(payload.clone()).is_some(),
        DuplicatesSearch::NAME => decode::<DuplicatesProgress>(payload.clone()).is_some(),
        other => panic!("there is no event {other}"),
    };
    assert!(valid, "a {name} event needs a payload");
    let handler = with(|s| s.listeners.get(name).cloned())
        .unwrap_or_else(|| panic!("nothing listens to {name}"));
    handler(payload);
}

/// The gallery's images (`null` for none).
pub fn set_images(images: JsValue) {
    with(|s| {
        s.images = decode(images).unwrap_or_default();
        s.ratings = ratings::RatingsStub::default();
    });
}

/// The commands sent so far, comma-separated.
pub fn calls() -> String {
    with(|s| s.calls.join(","))
}

/// The scoring queue (`null` for none); with a queue, every image is a small stand-in. Starts
/// a test afresh: no image broken, scores answered at once.
pub fn set_queue(queue: JsValue) {
    with(|s| {
        s.queue = decode(queue);
        s.scores.clear();
        s.score_delay_ms = 0;
        s.refuse_scores = false;
        s.broken.clear();
        s.stand_in = s.queue.as_ref().map(|_| {
            "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7".into()
        });
    });
}

/// The scores committed, as `a:7` (first letter of the hash, value) or `a:5.4/6.31` (with the
/// prediction shown), comma-separated.
pub fn scores() -> String {
    with(|s| s.scores.join(","))
}

/// From now on the app takes `ms` to answer each `add_score` (until the next [`set_queue`]).
pub fn slow_scores(ms: i32) {
    with(|s| s.score_delay_ms = ms);
}

/// Whether `add_score` fails from now on (until the next [`set_queue`]).
pub fn refuse_scores(refuse: bool) {
    with(|s| s.refuse_scores = refuse);
}

/// From now on every image fails to display.
pub fn break_images() {
    with(|s| {
        s.stand_in = Some("data:image/png;base64,AAAA".into());
        s.failed = 0;
    });
}

/// The image `sha1` fails to display from now on.
pub fn break_image(sha1: &str) {
    with(|s| s.broken.insert(sha1.to_owned()));
}

/// Installs the stub transport with no app state (for mounting a component alone).
pub fn install_stub() {
    with(|s| {
        s.calls.clear();
        s.failed = 0;
    });
    transport::install(Rc::new(Stub));
}

/// How many images the UI reported as undisplayable.
pub fn failed() -> u32 {
    with(|s| s.failed)
}

/// The last request sent to the command `name`, as JSON.
pub fn args_of(name: &str) -> String {
    with(|s| s.args.get(name).cloned().unwrap_or_default())
}

/// Predictions by hash (`undefined` for none), and the predictor's state.
pub fn set_predictions(predicted: JsValue, predictor: JsValue) {
    with(|s| {
        s.predicted = decode(predicted).unwrap_or_default();
        s.predictor = decode(predictor);
    });
}

/// The rater's own model: its predictions by hash (`undefined` for none) and what it says of
/// itself (a `PersonalModel`; `undefined` for none yet).
pub fn set_own_model(predicted: JsValue, model: JsValue) {
    with(|s| {
        s.own = decode(predicted).unwrap_or_default();
        s.personal = decode(model).unwrap_or_default();
    });
}
