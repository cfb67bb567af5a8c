//! The commands a browser on the network sends, each decided by its line in the protocol's
//! table ([`Remote`]): open ones go to the same [`App`] entry the window uses, each device's
//! rater is answered here, and the rest are refused with the reason. A desktop's paired device
//! acts only as the rater it chose first; on a team server a device acts only as the rater it
//! signed in as, and only an admin's device changes the library.

use crate::devices::NotAs;
use crate::gate::Caller;
use crate::pairing::Pairing;
use image_scorer_core::store::DeviceAccount;
use image_scorer_core::App;
use image_scorer_protocol::commands::{
    remote, unknown_command, ClaimImages, GetRater, ReleaseImages, RenameRater, SetRater,
};
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
        (Some(Remote::Open), _) => app.dispatch(name, body).await,
        (Some(Remote::AsRater), Caller::Paired(pairing, device)) => {
            app.dispatch(name, as_device(pairing, *device, name, body)?)
                .await
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

/// `body` acting as the rater paired device `device` chose first: an empty or missing
/// `rater` is filled in with it (or the devices' default); the first judgement or choice of
/// rater makes the choice, and another rater's name is refused from then on.
fn as_device(
    pairing: &Pairing,
    device: u32,
    name: &str,
    mut body: Value,
) -> Result<Value, AppError> {
    let Some(fields) = body.as_object_mut() else {
        return Err(refused(format!("The request for {name} is not an object.")));
    };
    let asked = fields
        .get("rater")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let rater = asked
        .or_else(|| pairing.devices.rater(device))
        .unwrap_or_else(|| DEVICE_RATER.to_owned());
    // Reservations are no judgement: a page claims images as it opens, before its user
    // chose a rater, so they do not make the choice (but once made, they keep to it).
    let reserving = name == ClaimImages::NAME || name == ReleaseImages::NAME;
    act_as(pairing, device, &rater, !reserving)?;
    fields.insert("rater".into(), Value::String(rater));
    Ok(body)
}

/// Device `device` acts as `rater` (`choose`: making it its choice), or why it may not.
fn act_as(pairing: &Pairing, device: u32, rater: &str, choose: bool) -> Result<(), AppError> {
    match pairing.devices.act_as(device, rater, choose) {
        Ok(()) => Ok(()),
        Err(NotAs::Bound(bound)) => Err(refused(format!(
            "This device rates as {bound}: it cannot act as {rater}. To rate as someone else, \
             unpair it in the desktop's Share panel and scan the code again."
        ))),
        Err(NotAs::Gone) => Err(refused(
            "This device is no longer paired: scan the code the desktop shows.".into(),
        )),
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
            Caller::Paired(pairing, device) => {
                act_as(pairing, *device, request.name.trim(), true)?;
                request.name
            }
            _ => request.name,
        }
    } else if name == GetRater::NAME {
        match caller {
            Caller::Member(account, _) => account.rater.clone(),
            Caller::Paired(pairing, device) => pairing
                .devices
                .rater(*device)
                .unwrap_or_else(|| DEVICE_RATER.to_owned()),
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
