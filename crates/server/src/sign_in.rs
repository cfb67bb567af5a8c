//! A team server's sign-in address, `/sign-in/{code}`: opening it shows a page with one button
//! (so that a link preview fetching the address does not use it up); pressing it uses the code
//! once and sends the browser to the UI with the device's token in the address's fragment,
//! which the UI keeps as a paired device keeps its pairing. Wrong codes count as wrong tokens.

use crate::gate::Gate;
use crate::routes::refused;
use crate::Door;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::net::SocketAddr;

/// The page's policy: no script at all, its own form only.
const POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The page with the button.
pub(crate) async fn page(State(door): State<Door>, Path(code): Path<String>) -> Response {
    if !matches!(door.gate, Gate::Team(..)) {
        return not_a_team();
    }
    let code: String = code
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(64)
        .collect();
    html(
        StatusCode::OK,
        &format!(
            "<h1>Image Scorer</h1><p>Sign this browser in to your team's library. The address \
             works once: afterwards this browser stays signed in until an admin signs it out.</p>\
             <form method=\"post\" action=\"/sign-in/{code}\"><button type=\"submit\">Sign in\
             </button></form>"
        ),
    )
}

/// Uses the code: to the UI with the token, or a page that says why not.
pub(crate) async fn redeem(
    State(door): State<Door>,
    Path(code): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let Gate::Team(team, throttle) = &door.gate else {
        return not_a_team();
    };
    if let Err(r) = crate::pairing::same_origin(&headers).and_then(|()| throttle.check(peer.ip())) {
        return refused(r);
    }
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match team.sign_in(&code, agent).await {
        Ok(Some(credentials)) => {
            throttle.succeeded(peer.ip());
            let mut response = StatusCode::SEE_OTHER.into_response();
            if let Ok(to) = HeaderValue::from_str(&format!("/#pair={}", credentials.token)) {
                response.headers_mut().insert(header::LOCATION, to);
            }
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Ok(None) => {
            throttle.failed(peer.ip());
            html(
                StatusCode::UNAUTHORIZED,
                "<h1>This sign-in address does not work</h1><p>It was used already, it \
                 expired, or it was revoked. Ask your team's admin for a new one \
                 (<code>image-scorer-cli team add-rater NAME</code>).</p>",
            )
        }
        Err(e) => {
            eprintln!("image-scorer: a sign-in failed: {e}");
            html(
                StatusCode::SERVICE_UNAVAILABLE,
                "<h1>Try again in a moment</h1><p>The server cannot reach its database just \
                 now; the address was not used.</p>",
            )
        }
    }
}

fn not_a_team() -> Response {
    (StatusCode::NOT_FOUND, "Not found.").into_response()
}

fn html(status: StatusCode, body: &str) -> Response {
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Image Scorer: sign in</title><style>body{{font:18px system-ui,sans-serif;\
         max-width:32em;margin:3em auto;padding:0 1em}}button{{font-size:1.2em;padding:.5em 2em}}\
         </style></head><body>{body}</body></html>"
    );
    let mut response = (status, Html(page)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The form's POST must carry this page's origin (under no-referrer a browser says `null`);
    // the page's address holds the code, which leaves for no other site.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}
