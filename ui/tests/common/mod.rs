//! What the browser tests share: a stub transport that answers like the app, typed by the
//! protocol's own command and event definitions, and helpers to mount the App, wait for
//! elements and press keys.
#![allow(dead_code)] // each test binary uses its own subset

use image_scorer_protocol::commands::*;
use image_scorer_protocol::events::{
    BackgroundError, DuplicatesSearch, LibraryChanged, PredictorChanged, ScanProgress,
};
use image_scorer_protocol::*;
use image_scorer_ui::api::{from_js, to_js};
use image_scorer_ui::transport::{self, scheme_url, LocalFuture, Subscription, Transport};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::Element;

mod preference;
mod setters;
#[allow(unused_imports)] // the Preference tests use them
pub use preference::{comparisons, remove_from_library, reset_preference};
pub use setters::*;
mod dom;
mod ratings;
mod similarity;
pub use dom::*;
#[allow(unused_imports)] // the Ratings tests use them
pub use ratings::{exports, set_gallery, set_own_prediction, synthetic_sha1};
#[allow(unused_imports)] // the Similarity tests use them
pub use similarity::{likeness, marks, reset_similarity, set_similarity_pack};

/// The app as the browser tests see it: a [`Transport`] that answers every command of the
/// protocol with its own request and response types, from a state the tests set up.
struct Stub;

/// What the stub knows and what it saw.
#[derive(Default)]
struct StubState {
    state: AppState,
    choose_result: Option<LibraryState>,
    choose_fails: bool,
    calls: Vec<&'static str>,
    args: HashMap<&'static str, String>,
    queue: Option<ScoreQueue>,
    scores: Vec<String>,
    predicted: HashMap<String, f64>,
    /// The rater's own model: its predictions by hash, and what it says of itself.
    own: HashMap<String, f64>,
    personal: PersonalModel,
    /// The Share panel's network door.
    sharing: SharingState,
    predictor: Option<PredictorState>,
    images: Vec<ImageSummary>,
    stand_in: Option<String>,
    broken: std::collections::HashSet<String>,
    failed: u32,
    /// How long the app takes to answer `add_score`, in ms.
    score_delay_ms: i32,
    /// Whether `add_score` fails (as on a full disk).
    refuse_scores: bool,
    listeners: HashMap<&'static str, Rc<dyn Fn(JsValue)>>,
    preference: preference::PreferenceStub,
    similarity: similarity::SimilarityStub,
    ratings: ratings::RatingsStub,
    /// The kinds of the judgements recorded, newest last: undo takes the newest back.
    undo_order: Vec<JudgementKind>,
}

thread_local! {
    static STUB: RefCell<StubState> = RefCell::new(StubState::default());
}

fn with<T>(f: impl FnOnce(&mut StubState) -> T) -> T {
    STUB.with(|s| f(&mut s.borrow_mut()))
}

/// How the stub answers one command.
type Handler = Box<dyn Fn(JsValue) -> Result<JsValue, AppError>>;

/// The stub's handler for the command `C`: decodes the request as `C`, answers it with
/// `answer`, and encodes the response.
fn on<C: Command>(
    answer: impl Fn(C, &mut StubState) -> Result<C::Response, AppError> + 'static,
) -> (&'static str, Handler) {
    let handler = move |request: JsValue| {
        let request: C = from_js(request)
            .unwrap_or_else(|e| panic!("the UI sent {} a request it cannot hold: {e:?}", C::NAME));
        let response = with(|s| answer(request, s))?;
        to_js(&response)
    };
    (C::NAME, Box::new(handler))
}

fn no_pack() -> PredictorState {
    PredictorState {
        problem: Some("No model pack is installed.".into()),
        packs_dir: "/data/packs".into(),
        ..PredictorState::default()
    }
}

/// The stub's handlers, one per command.
fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        on(|_: GetState, s| Ok(s.state.clone())),
        on(|_: ImportImages, s| {
            Ok(Some(image_scorer_protocol::ImportedImages {
                copied: 2,
                already: 1,
                problems: vec!["/sdcard/notes.jpg is not an image".into()],
                library: s.state.library.clone(),
            }))
        }),
        on(|_: AppResumed, _| Ok(())),
        on(|r: InstallPack, s| match r.from {
            PackFrom::Url { url, sha256 } if url.ends_with(".zip") => {
                let pack = PackInfo {
                    id: "packs/served".into(),
                    name: format!("Served ({})", sha256.unwrap_or_default()),
                    source: "packs".into(),
                    has_head: true,
                    problem: None,
                };
                s.predictor
                    .get_or_insert_with(no_pack)
                    .packs
                    .push(pack.clone());
                Ok(Some(pack))
            }
            PackFrom::Url { url, .. } => Err(AppError::new(
                ErrorKind::InvalidInput,
                format!("The model pack could not be installed: {url} answered HTTP 404"),
            )),
            _ => Ok(None),
        }),
        on(|_: ChooseFolder, s| {
            if s.choose_fails {
                return Err(AppError::new(
                    ErrorKind::NotFound,
                    "The folder “/gone” does not exist.",
                ));
            }
            Ok(s.choose_result.clone())
        }),
        on(|_: ListImages, s| {
            Ok(ImagePage {
                images: s.images.clone(),
                total: s.images.len() as u32,
            })
        }),
        on(|_: ListProblems, _| {
            Ok(vec![Problem {
                folder: "/data/My Photos".into(),
                name: "cut.jpg".into(),
                error: "is a truncated JPG file".into(),
            }])
        }),
        on(|_: RemoveFolder, _| Ok(LibraryState::default())),
        on(|r: SetExcludes, _| {
            Ok(LibraryState {
                roots: vec![Root {
                    id: r.root_id,
                    path: "/data/My Photos".into(),
                    excludes: r.patterns,
                }],
                counts: LibraryCounts {
                    ok: 1,
                    unreadable: 0,
                },
            })
        }),
        on(|_: GetRater, _| {
            Ok(Rater {
                name: "tester".into(),
                all: vec!["tester".into()],
            })
        }),
        on(|r: SetRater, _| {
            Ok(Rater {
                all: vec!["tester".into(), r.name.clone()],
                name: r.name,
            })
        }),
        // The teaching order, as the stub's app has it: the queue backwards.
        on(|r: GetScoreQueue, s| {
            let mut queue = s.queue.clone().unwrap_or_default();
            if r.teach {
                queue.items.reverse();
            }
            // A window as the app gives it: the first `limit` not known, the rest counted.
            if let Some(w) = r.window {
                let all = std::mem::take(&mut queue.items);
                let fresh: Vec<_> = all.iter().filter(|i| !w.known.contains(&i.sha1)).collect();
                queue.rest = fresh.len().saturating_sub(w.limit as usize) as u32;
                queue.items = fresh.into_iter().take(w.limit as usize).cloned().collect();
                let listed = |k: &String| all.iter().any(|i| &i.sha1 == k);
                queue.absent = w.known.into_iter().filter(|k| !listed(k)).collect();
            }
            Ok(queue)
        }),
        on(|r: GetScoreState, s| {
            Ok(ScoreState {
                predicted: s.predicted.get(&r.sha1).copied(),
                own_predicted: s.own.get(&r.sha1).copied(),
                own_better: s.personal.better_than_pack,
                sha1: r.sha1,
                rated: s.scores.len() as u32,
                total: s.queue.as_ref().map_or(0, |q| q.total),
                ..ScoreState::default()
            })
        }),
        on(|r: AddScore, s| {
            if s.refuse_scores {
                return Err(AppError::new(
                    ErrorKind::Database,
                    "The database could not be written: the disk is full.",
                ));
            }
            s.scores.push(format!("{}:{}", &r.sha1[..1], r.value));
            s.ratings.scores.insert(r.sha1.clone(), r.value);
            Ok(ScoreState {
                sha1: r.sha1,
                mine: Some(r.value),
                mean: Some(r.value),
                raters: 1,
                rated: s.scores.len() as u32,
                total: 3,
                ..ScoreState::default()
            })
        }),
        on(|r: AddRating, s| {
            let predicted = r.predicted.map_or("null".into(), |p| p.to_string());
            let own = if r.own { "(own)" } else { "" };
            s.scores
                .push(format!("{}:{}/{predicted}{own}", &r.sha1[..1], r.value));
            Ok(ScoreState {
                sha1: r.sha1,
                mine: Some(r.value),
                mean: Some(r.value),
                raters: 1,
                predicted: r.predicted,
                rated: s.scores.len() as u32,
                total: 3,
                ..ScoreState::default()
            })
        }),
        on(|_: ImageFailed, s| {
            s.failed += 1;
            Ok(())
        }),
        on(|_: GetPredictor, s| Ok(s.predictor.clone().unwrap_or_else(no_pack))),
        on(|_: SetPack, s| Ok(s.predictor.clone().unwrap_or_else(no_pack))),
        on(|_: PausePredictions, s| Ok(s.predictor.clone().unwrap_or_else(no_pack))),
        on(|_: GetPersonalModel, s| Ok(s.personal.clone())),
        on(|_: GetSharing, s| Ok(s.sharing.clone())),
        on(|_: StartSharing, s| {
            s.sharing = SharingState {
                running: true,
                url: Some("http://192.168.1.20:8765/#pair=00ff".into()),
                qr_svg: Some("<svg id=\"stub-qr\" width=\"10\" height=\"10\"></svg>".into()),
                devices: 0,
                paired: vec![PairedDevice {
                    id: 1,
                    label: "iPad; CPU OS 17_4 like Mac OS X".into(),
                    rater: Some("ana".into()),
                    paired_s_ago: 150,
                }],
            };
            Ok(s.sharing.clone())
        }),
        on(|r: UnpairDevice, s| {
            s.sharing.paired.retain(|d| d.id != r.device);
            Ok(s.sharing.clone())
        }),
        on(|_: StopSharing, s| {
            s.sharing = SharingState::default();
            Ok(s.sharing.clone())
        }),
        on(|r: ExportOwnModel, s| {
            Ok(Some(OwnModelExported {
                files: vec![format!("/data/{}.onnx", r.rater)],
                ratings: s.personal.ratings,
                over_head: s.personal.has_head,
                input: "embedding".into(),
                output: "own_score".into(),
            }))
        }),
    ]
    .into_iter()
    .chain(preference::handlers())
    .chain(similarity::handlers())
    .chain(ratings::handlers())
    .chain([on(|_: Undo, s| match s.undo_order.pop() {
        Some(k @ (JudgementKind::Similarity | JudgementKind::Duplicate)) => {
            Ok(similarity::undo(s, k).map(|judgement| Undone {
                judgement,
                score: None,
            }))
        }
        _ => preference::undo(s),
    })])
    .collect()
}

/// The stub's answer to the command `name`: a command of the protocol's table that no test
/// needed an answer for is refused with a message naming it; a name outside the table is a
/// bug in the UI and fails the test.
fn answer(name: &str, request: JsValue) -> Result<JsValue, AppError> {
    assert!(
        image_scorer_protocol::COMMAND_NAMES.contains(&name),
        "the UI sent {name}, which is not a command of the protocol"
    );
    let handlers = handlers();
    match handlers.iter().find(|(n, _)| *n == name) {
        Some((_, handler)) => handler(request),
        None => Err(AppError::new(
            ErrorKind::Internal,
            format!("The browser tests' stub has no answer for {name}."),
        )),
    }
}

impl Transport for Stub {
    fn invoke(
        &self,
        name: &'static str,
        request: JsValue,
    ) -> LocalFuture<Result<JsValue, AppError>> {
        let args = js_sys::JSON::stringify(&request)
            .map(String::from)
            .unwrap_or_default();
        with(|s| {
            s.calls.push(name);
            s.args.insert(name, args);
        });
        let delay = if name == AddScore::NAME {
            with(|s| s.score_delay_ms)
        } else {
            0
        };
        if delay == 0 {
            let answer = answer(name, request);
            return Box::pin(async move { answer });
        }
        // The app answers once it has done the work.
        Box::pin(async move {
            sleep(delay).await;
            answer(name, request)
        })
    }

    fn listen(
        &self,
        name: &'static str,
        handler: Rc<dyn Fn(JsValue)>,
    ) -> LocalFuture<Result<Subscription, AppError>> {
        with(|s| s.listeners.insert(name, handler));
        Box::pin(async move {
            Ok(Subscription::new(move || {
                with(|s| s.listeners.remove(name));
            }))
        })
    }

    fn image_url(&self, sha1: &str, thumbnail: bool) -> String {
        if with(|s| s.broken.contains(sha1)) {
            return "data:image/png;base64,AAAA".into();
        }
        with(|s| s.stand_in.clone()).unwrap_or_else(|| scheme_url(sha1, thumbnail))
    }
}

/// The commands the stub answers.
pub fn stub_commands() -> Vec<&'static str> {
    handlers().into_iter().map(|(name, _)| name).collect()
}

fn decode<T: serde::de::DeserializeOwned>(value: JsValue) -> Option<T> {
    if value.is_null() || value.is_undefined() {
        None
    } else {
        Some(from_js(value).expect("a test's value of the protocol's type"))
    }
}

pub fn json(s: &str) -> JsValue {
    js_sys::JSON::parse(s).unwrap()
}

pub const EMPTY: &str =
    r#"{"library":{"roots":[],"counts":{"ok":0,"unreadable":0}},"startup_errors":[]}"#;

pub const ONE_FOLDER: &str = r#"{"library":{"roots":[{"id":1,"path":"/data/My Photos","excludes":"*mask*"}],"counts":{"ok":12,"unreadable":3}},
    "startup_errors":[{"kind":"not_found","message":"The folder “/nope” does not exist."}]}"#;

/// Mounts a fresh App on the start page; returns its root element.
pub fn mount(
    state: &str,
    choose_result: &str,
    choose_fails: bool,
) -> (Element, yew::AppHandle<image_scorer_ui::App>) {
    with(|s| {
        s.state = decode(json(state)).expect("an app state");
        s.choose_result = decode(json(choose_result));
        s.choose_fails = choose_fails;
        s.calls.clear();
        s.args.clear();
        s.listeners.clear();
    });
    transport::install(Rc::new(Stub));
    let window = web_sys::window().unwrap();
    window.location().set_hash("#/").unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = yew::Renderer::<image_scorer_ui::App>::with_root(root.clone()).render();
    (root, handle)
}

pub fn three_items() -> JsValue {
    let item = |c: char| {
        format!(
            r#"{{"sha1":"{}","name":"{c}.png"}}"#,
            c.to_string().repeat(40)
        )
    };
    json(&format!(
        r#"{{"items":[{},{},{}],"rated":0,"total":3}}"#,
        item('a'),
        item('b'),
        item('c')
    ))
}
