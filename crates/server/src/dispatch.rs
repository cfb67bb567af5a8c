//! The commands a browser on the network may send, each to the same [`App`] handler the window
//! uses; the rest are refused with the reason. Every command of the protocol is in one list or
//! the other (a test holds it), so a new command is never reachable by accident.

use image_scorer_core::app::Handler;
use image_scorer_core::App;
use image_scorer_protocol::commands::*;
use image_scorer_protocol::{AppError, ErrorKind};
use serde_json::Value;

/// Runs `C` on `app` with the JSON `body`.
async fn call<C: Command>(app: &App, body: Value) -> Result<Value, AppError>
where
    App: Handler<C>,
{
    let request: C = serde_json::from_value(body).map_err(|e| {
        AppError::new(
            ErrorKind::InvalidInput,
            format!("The request for {} is not valid: {e}", C::NAME),
        )
    })?;
    let answer = app.call(request).await?;
    serde_json::to_value(answer)
        .map_err(|e| AppError::new(ErrorKind::Internal, format!("Cannot send the answer: {e}")))
}

macro_rules! network_commands {
    ($($command:ty),* $(,)?) => {
        /// The commands a paired browser may send.
        pub const NETWORK_COMMANDS: &[&str] = &[$(<$command as Command>::NAME),*];

        async fn dispatch_app(app: &App, name: &str, body: Value) -> Option<Result<Value, AppError>> {
            $(
                if name == <$command as Command>::NAME {
                    return Some(call::<$command>(app, body).await);
                }
            )*
            None
        }
    };
}

network_commands! {
    GetState, ListImages, ListProblems, GetScoreQueue, GetScoreState, AddScore, AddRating, Undo,
    GetPredictor, GetPreference, SetPreference, NextSet, RecordComparison, GetRanking,
    FindSimilar, GetSimilarPair, RecordLikeness, GetLikeness, GetDuplicateGroups,
    MarkDuplicates, GetGallery, GetImageDetail, GetRatingStats, GetPlot, GetPersonalModel,
    AppResumed,
}

/// The commands refused over the network, each with why.
pub const REFUSED_COMMANDS: &[(&str, &str)] = &[
    (ChooseFolder::NAME, DIALOG),
    (ImportImages::NAME, DIALOG),
    (InstallPack::NAME, DESKTOP),
    (FindSimilarToFile::NAME, DIALOG),
    (SavePlot::NAME, DIALOG),
    (Export::NAME, DIALOG),
    (ImportRatings::NAME, DIALOG),
    (ExportOwnModel::NAME, DIALOG),
    (RemoveFolder::NAME, DESKTOP),
    (SetExcludes::NAME, DESKTOP),
    (SetPack::NAME, DESKTOP),
    (PausePredictions::NAME, DESKTOP),
    (RenameRater::NAME, DESKTOP),
    (ImageFailed::NAME, DESKTOP),
    (GetSharing::NAME, DESKTOP),
    (StartSharing::NAME, DESKTOP),
    (StopSharing::NAME, DESKTOP),
];

const DIALOG: &str = "needs the desktop's file dialog: use the desktop app for it";
const DESKTOP: &str = "changes the library or the app's settings, which only the desktop app does";

/// The rater a device starts with until it chooses one.
pub const DEVICE_RATER: &str = "tablet";

/// Answers the command `name` with `body` for a browser on the network.
pub async fn dispatch(app: &App, name: &str, body: Value) -> Result<Value, AppError> {
    if let Some(answer) = dispatch_app(app, name, body.clone()).await {
        return answer;
    }
    // Each device keeps its own rater (in its browser): choosing one here makes it known to
    // the app, never the desktop's choice.
    if name == GetRater::NAME || name == SetRater::NAME {
        let wanted = match serde_json::from_value::<SetRater>(body) {
            Ok(r) if name == SetRater::NAME => r.name,
            _ => DEVICE_RATER.to_owned(),
        };
        let rater = app.known_rater(&wanted).await?;
        return serde_json::to_value(rater)
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()));
    }
    match REFUSED_COMMANDS.iter().find(|(n, _)| *n == name) {
        Some((_, why)) => Err(AppError::new(
            ErrorKind::InvalidInput,
            format!("“{name}” is not available from another device: it {why}."),
        )),
        None => Err(AppError::new(
            ErrorKind::NotFound,
            format!(
                "There is no command “{}”.",
                name.chars().take(64).collect::<String>()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_either_served_or_refused() {
        for name in COMMAND_NAMES {
            let served = NETWORK_COMMANDS.contains(name)
                || *name == GetRater::NAME
                || *name == SetRater::NAME;
            let refused = REFUSED_COMMANDS.iter().any(|(n, _)| n == name);
            assert!(
                served != refused,
                "{name}: served {served}, refused {refused}"
            );
        }
    }
}
