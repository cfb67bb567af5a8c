//! The commands a browser on the network sends, each decided by its line in the protocol's
//! table ([`Remote`]): open ones go to the same [`App`] entry the window uses, each device's
//! rater is answered here, and the rest are refused with the reason.

use image_scorer_core::App;
use image_scorer_protocol::commands::{remote, unknown_command, GetRater, SetRater};
use image_scorer_protocol::{AppError, Command, ErrorKind, Remote};
use serde_json::Value;

/// The rater a device starts with until it chooses one.
pub const DEVICE_RATER: &str = "tablet";

/// Answers the command `name` with `body` for a browser on the network.
pub async fn dispatch(app: &App, name: &str, body: Value) -> Result<Value, AppError> {
    match remote(name) {
        None => Err(unknown_command(name)),
        Some(Remote::Open) => app.dispatch(name, body).await,
        Some(Remote::PerDevice) => device_rater(app, name, body).await,
        Some(Remote::Refused(why)) => Err(AppError::new(
            ErrorKind::InvalidInput,
            format!("“{name}” is not available from another device: it {why}."),
        )),
    }
}

/// Each device keeps its own rater (in its browser): choosing one here makes it known to the
/// app, never the desktop's choice.
async fn device_rater(app: &App, name: &str, body: Value) -> Result<Value, AppError> {
    let wanted = if name == SetRater::NAME {
        let request: SetRater = serde_json::from_value(body).map_err(|e| {
            AppError::new(
                ErrorKind::InvalidInput,
                format!("The request for {name} is not valid: {e}"),
            )
        })?;
        request.name
    } else if name == GetRater::NAME {
        DEVICE_RATER.to_owned()
    } else {
        return Err(AppError::new(
            ErrorKind::Internal,
            format!("The network door has no answer of its own for “{name}”."),
        ));
    };
    let rater = app.known_rater(&wanted).await?;
    serde_json::to_value(rater).map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))
}
