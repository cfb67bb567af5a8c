//! The commands a browser on the network sends, each decided by its line in the protocol's
//! table ([`Remote`]): open ones go to the same [`App`] entry the window uses, each device's
//! rater is answered here, and the rest are refused with the reason. On a team server a device
//! acts only as the rater it signed in as, and only an admin's device changes the library.

use crate::gate::Caller;
use image_scorer_core::store::DeviceAccount;
use image_scorer_core::App;
use image_scorer_protocol::commands::{remote, unknown_command, GetRater, RenameRater, SetRater};
use image_scorer_protocol::{AppError, Command, ErrorKind, Remote};
use serde_json::Value;

/// The rater a device starts with until it chooses one.
pub const DEVICE_RATER: &str = "tablet";

/// Answers the command `name` with `body` for `caller`, a browser on the network.
pub(crate) async fn dispatch(
    app: &App,
    caller: &Caller,
    name: &str,
    body: Value,
) -> Result<Value, AppError> {
    match (remote(name), caller) {
        (None, _) => Err(unknown_command(name)),
        (Some(Remote::Open), _) | (Some(Remote::AsRater), Caller::Paired) => {
            app.dispatch(name, body).await
        }
        (Some(Remote::AsRater), Caller::Member(account, _)) => {
            app.dispatch(name, as_rater(account, name, body)?).await
        }
        (Some(Remote::PerDevice), _) => device_rater(app, caller, name, body).await,
        (Some(Remote::Admin(_)), Caller::Member(account, _))
            if account.admin || renames_itself(account, name, &body) =>
        {
            app.dispatch(name, body).await
        }
        (Some(Remote::Admin(_)), Caller::Member(account, _)) => Err(refused(format!(
            "“{name}” changes the library or its settings, which only an admin of the team \
             does; {} is not one.",
            account.rater
        ))),
        (Some(Remote::Admin(why) | Remote::Refused(why)), _) => Err(refused(format!(
            "“{name}” is not available from another device: it {why}."
        ))),
    }
}

fn refused(message: String) -> AppError {
    AppError::new(ErrorKind::InvalidInput, message)
}

/// `body` acting as `account`'s rater: an empty or missing `rater` is filled in, another
/// rater's name is refused.
fn as_rater(account: &DeviceAccount, name: &str, mut body: Value) -> Result<Value, AppError> {
    let Some(fields) = body.as_object_mut() else {
        return Err(refused(format!("The request for {name} is not an object.")));
    };
    match fields.get("rater").and_then(Value::as_str).map(str::trim) {
        None | Some("") => {
            fields.insert("rater".into(), Value::String(account.rater.clone()));
            Ok(body)
        }
        Some(rater) if rater == account.rater => Ok(body),
        Some(other) => Err(refused(format!(
            "This device is signed in as {}: it cannot act as {other}.",
            account.rater
        ))),
    }
}

/// Whether `body` renames the account's own rater (which a rater may do without being an
/// admin).
fn renames_itself(account: &DeviceAccount, name: &str, body: &Value) -> bool {
    name == RenameRater::NAME
        && body.get("from").and_then(Value::as_str).map(str::trim) == Some(&account.rater)
}

/// Each device keeps its own rater: on a desktop's door the one chosen in its browser (made
/// known to the app here, never the desktop's choice); on a team server the one it signed in
/// as.
async fn device_rater(
    app: &App,
    caller: &Caller,
    name: &str,
    body: Value,
) -> Result<Value, AppError> {
    let wanted = if name == SetRater::NAME {
        let request: SetRater = serde_json::from_value(body).map_err(|e| {
            AppError::new(
                ErrorKind::InvalidInput,
                format!("The request for {name} is not valid: {e}"),
            )
        })?;
        match caller {
            Caller::Member(account, _) if request.name.trim() != account.rater => {
                return Err(refused(format!(
                    "This device is signed in as {}: it cannot rate as {}.",
                    account.rater,
                    request.name.trim()
                )))
            }
            _ => request.name,
        }
    } else if name == GetRater::NAME {
        match caller {
            Caller::Member(account, _) => account.rater.clone(),
            Caller::Paired => DEVICE_RATER.to_owned(),
        }
    } else {
        return Err(AppError::new(
            ErrorKind::Internal,
            format!("The network door has no answer of its own for “{name}”."),
        ));
    };
    let rater = app.known_rater(&wanted).await?;
    serde_json::to_value(rater).map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))
}
