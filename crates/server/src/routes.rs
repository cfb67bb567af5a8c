//! The server's routes: the UI's files, `POST /api/call/{command}`, `POST /api/session`,
//! `GET /api/events` (server-sent events) and `GET /image/[thumb/]{sha1}?key=…`.

use crate::dispatch::dispatch;
use crate::gate::Caller;
use crate::pairing::Refusal;
use crate::Door;
use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::stream::Stream;
use image_scorer_protocol::AppError;
use serde::Deserialize;
use serde_json::{json, Value};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

pub(crate) fn router(door: Door, max_body: usize) -> Router {
    let (hosts, request_time) = (door.hosts.clone(), door.admission.limits().request_time);
    Router::new()
        .route("/api/call/{command}", post(command))
        .route("/api/session", post(session))
        .route("/api/pair", post(pair))
        .route("/api/events", get(events))
        .route("/image/{sha1}", get(original))
        .route("/image/thumb/{sha1}", get(thumbnail))
        .route(
            "/sign-in/{code}",
            get(crate::sign_in::page).post(crate::sign_in::redeem),
        )
        .route("/", get(index))
        .route("/{file}", get(asset))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn(move |request, next| {
            declared_length(request, next, max_body)
        }))
        .layer(axum::middleware::from_fn(move |request, next| {
            in_time(request, next, request_time)
        }))
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let checked = hosts.check(request.headers());
                async move {
                    match checked {
                        Ok(()) => next.run(request).await,
                        Err(refusal) => refused(refusal),
                    }
                }
            },
        ))
        .layer(axum::middleware::map_response(common_headers))
        .with_state(door)
}

/// Answers 408 to a request not answered within `limit` from its head: a body sent slowly
/// holds its connection no longer. (An event stream's answer is its head; the events that
/// follow are not timed.)
async fn in_time(
    request: axum::extract::Request,
    next: axum::middleware::Next,
    limit: Duration,
) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let mut response = refused((
                StatusCode::REQUEST_TIMEOUT,
                "The request took too long to arrive.",
            ));
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

/// Headers on every answer: no referrer leaves (image addresses carry their key), no sniffing,
/// no framing by another page.
async fn common_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    // (The sign-in page sets its own: under no-referrer a browser sends its form with
    // `Origin: null`, which the origin check refuses.)
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// Refuses at once a request that declares a body larger than `max` (the body limit alone
/// would wait for the bytes to arrive).
async fn declared_length(
    request: axum::extract::Request,
    next: axum::middleware::Next,
    max: usize,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        let mut response = refused((StatusCode::PAYLOAD_TOO_LARGE, "The request is too large."));
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    next.run(request).await
}

pub(crate) fn refused((status, message): Refusal) -> Response {
    (
        status,
        Json(json!({ "kind": "invalid_input", "message": message })),
    )
        .into_response()
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not found.").into_response()
}

/// Who asks, let in by the door's gate ([`crate::gate::Gate::check_call`]) from the request's
/// headers and address, before anything else of it is read: a handler that takes a [`Caller`]
/// answers only those let in.
impl axum::extract::FromRequestParts<Door> for Caller {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        door: &Door,
    ) -> Result<Self, Response> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        };
        let caller = door
            .gate
            .check_call(&parts.headers, peer.ip())
            .await
            .map_err(refused)?;
        door.admission.let_in(peer.ip());
        Ok(caller)
    }
}

async fn command(
    State(door): State<Door>,
    Path(name): Path<String>,
    caller: Caller,
    body: axum::body::Bytes,
) -> Response {
    let body: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(AppError::new(
                        image_scorer_protocol::ErrorKind::InvalidInput,
                        format!("The request is not JSON: {e}"),
                    )),
                )
                    .into_response()
            }
        }
    };
    let answer = dispatch(&door.app, &caller, &name, body).await;
    let mut response = match answer {
        Ok(value) => Json(value).into_response(),
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, Json(e)).into_response(),
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Pairs a device with the pairing code in its `Authorization` header: answers the device's
/// own credential, which its page keeps and sends from then on.
async fn pair(
    State(door): State<Door>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let label = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(device_label)
        .unwrap_or_else(|| "A device".into());
    match door.gate.pair(&headers, peer.ip(), &label) {
        Ok(credential) => {
            door.admission.let_in(peer.ip());
            let mut response = Json(json!({ "token": credential })).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(refusal) => refused(refusal),
    }
}

/// A device's name from its browser's `User-Agent`: the part in its first parentheses (the
/// system: "iPad; CPU OS 17_4 like Mac OS X", "Linux; Android 14; Pixel 8"), else the start.
fn device_label(agent: &str) -> String {
    let inside = agent
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(system, _)| system)
        .unwrap_or(agent);
    inside.chars().take(80).collect()
}

/// What a paired UI needs beside the token: the key its image addresses carry.
async fn session(State(door): State<Door>, caller: Caller) -> Response {
    let (image_key, expires_in_s) = door.gate.image_key(&caller);
    let mut response = Json(json!({
        "image_key": image_key,
        "expires_in_s": expires_in_s,
    }))
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The app's events as server-sent events (`event:` the protocol's name, `data:` the payload),
/// until the server stops, the device is let in no longer, or the browser goes; refused
/// beyond the streams a device, or all of them, may hold ([`crate::Limits`]).
async fn events(State(door): State<Door>, caller: Caller) -> Response {
    let device = match &caller {
        Caller::Paired(_, device) => format!("paired {device}"),
        Caller::Member(account, _) => format!("device {}", account.device),
    };
    let place = match door.streams.open(&device, door.admission.limits()) {
        Ok(place) => place,
        Err(why) => return refused((StatusCode::TOO_MANY_REQUESTS, why)),
    };
    Sse::new(event_stream(door, caller, place))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// How often an open event stream checks that its device may still follow it.
const STILL_IN_EVERY: Duration = Duration::from_secs(1);

fn event_stream(
    door: Door,
    caller: Caller,
    guard: crate::limits::StreamPlace,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let receiver = door.events.subscribe();
    let mut check = tokio::time::interval(STILL_IN_EVERY);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let state = (receiver, door.stopped.clone(), guard, check);
    futures_util::stream::unfold(
        state,
        move |(mut receiver, mut stopped, guard, mut check)| {
            let (gate, caller) = (door.gate.clone(), caller.clone());
            async move {
                loop {
                    if *stopped.borrow() {
                        return None;
                    }
                    let next = tokio::select! {
                        next = receiver.recv() => next,
                        _ = stopped.changed() => return None,
                        _ = check.tick() => {
                            if gate.still_in(&caller).await {
                                continue;
                            }
                            return None;
                        }
                    };
                    match next {
                        Ok(event) => {
                            let data = serde_json::to_string(&event).unwrap_or_default();
                            let sse = Event::default().event(event.name()).data(data);
                            return Some((Ok(sse), (receiver, stopped, guard, check)));
                        }
                        // Fell behind: the UI reloads what it shows at the next event of each kind.
                        Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    }
                }
            }
        },
    )
}

#[derive(Deserialize)]
struct ImageQuery {
    key: Option<String>,
}

async fn original(
    state: State<Door>,
    Path(sha1): Path<String>,
    Query(q): Query<ImageQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    image(state, format!("/{sha1}"), q, peer, headers).await
}

async fn thumbnail(
    state: State<Door>,
    Path(sha1): Path<String>,
    Query(q): Query<ImageQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    image(state, format!("/thumb/{sha1}"), q, peer, headers).await
}

/// A library image by hash, through the same check the window's image scheme uses.
async fn image(
    State(door): State<Door>,
    path: String,
    q: ImageQuery,
    peer: SocketAddr,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = door
        .gate
        .check_image(&headers, q.key.as_deref(), peer.ip())
        .await
    {
        return refused(r);
    }
    door.admission.let_in(peer.ip());
    let answer = door.app.serve_image(&path).await;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(answer.content_type),
    );
    if status == StatusCode::OK {
        // The address names the content: it never changes (kept by this browser only).
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=31536000, immutable"),
        );
    }
    response
}

async fn index(state: State<Door>) -> Response {
    asset(state, Path("index.html".to_owned())).await
}

/// One of the UI's files, by its exact name: a name that could reach beyond the UI's folder
/// is refused before any lookup ([`crate::assets::plain_name`]).
async fn asset(State(door): State<Door>, Path(file): Path<String>) -> Response {
    if !crate::assets::plain_name(&file) {
        return not_found().await;
    }
    match door.assets.get(&file) {
        Some((bytes, content_type)) => {
            let policy = content_type
                .starts_with("text/html")
                .then(|| crate::assets::content_security_policy(&String::from_utf8_lossy(&bytes)));
            let mut response = Response::new(Body::from(bytes.into_owned()));
            if let Ok(v) = HeaderValue::from_str(&content_type) {
                response.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            if let Some(v) = policy.and_then(|p| HeaderValue::from_str(&p).ok()) {
                headers.insert(header::CONTENT_SECURITY_POLICY, v);
            }
            response
        }
        None => not_found().await,
    }
}
