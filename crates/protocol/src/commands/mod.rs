//! Every command a door can send, defined once: the table below gives each its wire name, its
//! request (the command's arguments, as one struct named as the wire name), its response, and
//! whether a device on the network may send it. Everything else is made from the table: the
//! [`Command`] impls, [`COMMAND_NAMES`], the [`Handles`] bound that makes the app answer every
//! command, and [`dispatch`], the one entry through which the window's IPC and the network
//! door reach the app. Adding a command is one line here, its request struct, and its
//! [`Handler`] in core.
//!
//! A command that acts for a person (a judgement, a queue, an undo) names its `rater`: the
//! app has no current rater of its own, so two devices can rate as two people at once.

mod library;
mod predictions;
mod preference;
mod ratings;
mod scoring;
mod sharing;
mod similarity;

pub use library::*;
pub use predictions::*;
pub use preference::*;
pub use ratings::*;
pub use scoring::*;
pub use sharing::*;
pub use similarity::*;

use crate::{
    AppError, AppState, Claimed, ComparisonSaved, ComparisonSet, DuplicateGroups, DuplicatesMarked,
    ErrorKind, ExportSummary, GalleryPage, ImageDetail, ImagePage, ImportReport, ImportedImages,
    LibraryState, LikenessSaved, LikenessSummary, OwnModelExported, PackInfo, PersonalModel, Plot,
    PredictorState, PreferenceSettings, Problem, QueueRule, RankingPage, Rater, RatingStats,
    ScoreQueue, ScoreState, SharingState, SimilarImages, SimilarityPair, Undone,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::future::Future;

/// A command: a request type that knows its name, the type of its answer and who may send
/// it. Failures are always an [`AppError`].
pub trait Command: Serialize + DeserializeOwned + Send + 'static {
    /// The command's name on every transport (snake_case of the request type's name).
    const NAME: &'static str;
    /// Whether a device on the network may send it.
    const REMOTE: Remote;
    /// What the command answers with.
    type Response: Serialize + DeserializeOwned + Send + 'static;
}

/// What a command answers: its response, or an error for the user.
pub type Reply<C> = Result<<C as Command>::Response, AppError>;

/// Whether a device on the network (a tablet's browser, through `crates/server`) may send a
/// command. Part of each command's line in the table, so a new command is decided there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remote {
    /// Any paired device may send it; the app answers it as it answers the window.
    Open,
    /// The network door answers it for the device itself: each device keeps its own rater.
    PerDevice,
    /// Open, acting as a rater (the request's `rater`): a team server's device acts only as
    /// the rater it signed in as (an empty `rater` is filled in with it).
    AsRater,
    /// Changes the library or the app's settings: on a team server an admin's device may send
    /// it; a desktop's paired devices are refused, with why (completing "it …").
    Admin(&'static str),
    /// Refused over the network, with why (completing "it …").
    Refused(&'static str),
}

/// Refused over the network: the command shows a native file dialog.
const DIALOG: Remote =
    Remote::Refused("needs the desktop's file dialog: use the desktop app for it");
/// The command changes what only the desktop's owner (or a team server's admin) changes.
const DESKTOP: Remote = Remote::Admin(
    "changes the library or the app's settings, which only the desktop app (or a team's admin) does",
);
/// Refused over the network: the command is the desktop's own (its network door).
const SHARING: Remote =
    Remote::Refused("changes the desktop's sharing, which only the desktop app does");

/// Answers the command `C`: implemented by the app (core's `App`) once per command.
pub trait Handler<C: Command> {
    /// The answer to `request`; a write is committed before the answer.
    fn handle(&self, request: C) -> impl Future<Output = Reply<C>> + Send;
}

/// Decodes `request` as `C`, answers it with `handler`, and encodes the answer.
async fn answer<C: Command, H: Handler<C>>(handler: &H, request: Value) -> Result<Value, AppError> {
    let request: C = serde_json::from_value(request).map_err(|e| {
        AppError::new(
            ErrorKind::InvalidInput,
            format!("The request for {} is not valid: {e}", C::NAME),
        )
    })?;
    let answer = handler.handle(request).await?;
    serde_json::to_value(answer)
        .map_err(|e| AppError::new(ErrorKind::Internal, format!("Cannot send the answer: {e}")))
}

/// The error for a name that is no command (cut short: it may come from a stranger).
pub fn unknown_command(name: &str) -> AppError {
    AppError::new(
        ErrorKind::NotFound,
        format!(
            "There is no command “{}”.",
            name.chars().take(64).collect::<String>()
        ),
    )
}

macro_rules! commands {
    ($($name:literal => $request:ident -> $response:ty, $remote:expr;)*) => {
        $(
            impl Command for $request {
                const NAME: &'static str = $name;
                const REMOTE: Remote = $remote;
                type Response = $response;
            }
        )*

        /// The name of every command, in the order of the table.
        pub const COMMAND_NAMES: &[&str] = &[$($name),*];

        /// Answers every command of the table: what [`dispatch`] needs of the app.
        pub trait Handles: $(Handler<$request> +)* Sync {}
        impl<T: $(Handler<$request> +)* Sync> Handles for T {}

        /// Whether a device on the network may send the command `name`; `None` when there
        /// is no such command.
        pub fn remote(name: &str) -> Option<Remote> {
            match name {
                $($name => Some(<$request as Command>::REMOTE),)*
                _ => None,
            }
        }

        /// Answers the command `name` with its request as JSON: the one entry of every door
        /// that carries JSON (the window's IPC, the network door). Each answer is boxed, so
        /// the future is as small as one command's.
        pub async fn dispatch<H: Handles>(
            handler: &H,
            name: &str,
            request: Value,
        ) -> Result<Value, AppError> {
            match name {
                $($name => Box::pin(answer::<$request, H>(handler, request)).await,)*
                _ => Err(unknown_command(name)),
            }
        }

        #[cfg(test)]
        /// Each command's wire name with its request type's name.
        const NAMES_AND_TYPES: &[(&str, &str)] = &[$(($name, stringify!($request))),*];
    };
}

commands! {
    "get_state" => GetState -> AppState, Remote::Open;
    "choose_folder" => ChooseFolder -> Option<LibraryState>, DIALOG;
    "import_images" => ImportImages -> Option<ImportedImages>, DIALOG;
    "app_resumed" => AppResumed -> (), Remote::Open;
    "install_pack" => InstallPack -> Option<PackInfo>, DESKTOP;
    "list_images" => ListImages -> ImagePage, Remote::Open;
    "list_problems" => ListProblems -> Vec<Problem>, Remote::Open;
    "remove_folder" => RemoveFolder -> LibraryState, DESKTOP;
    "set_excludes" => SetExcludes -> LibraryState, DESKTOP;
    "get_rater" => GetRater -> Rater, Remote::PerDevice;
    "set_rater" => SetRater -> Rater, Remote::PerDevice;
    "get_score_queue" => GetScoreQueue -> ScoreQueue, Remote::Open;
    "get_score_state" => GetScoreState -> ScoreState, Remote::Open;
    "add_score" => AddScore -> ScoreState, Remote::AsRater;
    "add_rating" => AddRating -> ScoreState, Remote::AsRater;
    "undo" => Undo -> Option<Undone>, Remote::AsRater;
    "get_queue_rule" => GetQueueRule -> QueueRule, Remote::Open;
    "set_queue_rule" => SetQueueRule -> QueueRule, DESKTOP;
    "claim_images" => ClaimImages -> Claimed, Remote::AsRater;
    "release_images" => ReleaseImages -> (), Remote::AsRater;
    "image_failed" => ImageFailed -> (), DESKTOP;
    "get_predictor" => GetPredictor -> PredictorState, Remote::Open;
    "set_pack" => SetPack -> PredictorState, DESKTOP;
    "pause_predictions" => PausePredictions -> PredictorState, DESKTOP;
    "get_preference" => GetPreference -> PreferenceSettings, Remote::Open;
    "set_preference" => SetPreference -> PreferenceSettings, Remote::Open;
    "next_set" => NextSet -> Option<ComparisonSet>, Remote::Open;
    "record_comparison" => RecordComparison -> ComparisonSaved, Remote::AsRater;
    "get_ranking" => GetRanking -> RankingPage, Remote::Open;
    "find_similar" => FindSimilar -> SimilarImages, Remote::Open;
    "find_similar_to_file" => FindSimilarToFile -> Option<SimilarImages>, DIALOG;
    "get_similar_pair" => GetSimilarPair -> Option<SimilarityPair>, Remote::Open;
    "record_likeness" => RecordLikeness -> LikenessSaved, Remote::AsRater;
    "get_likeness" => GetLikeness -> LikenessSummary, Remote::Open;
    "get_duplicate_groups" => GetDuplicateGroups -> DuplicateGroups, Remote::Open;
    "mark_duplicates" => MarkDuplicates -> DuplicatesMarked, Remote::AsRater;
    "get_gallery" => GetGallery -> GalleryPage, Remote::Open;
    "get_image_detail" => GetImageDetail -> ImageDetail, Remote::Open;
    "get_rating_stats" => GetRatingStats -> RatingStats, Remote::Open;
    "get_plot" => GetPlot -> Plot, Remote::Open;
    "save_plot" => SavePlot -> Option<String>, DIALOG;
    "export" => Export -> Option<ExportSummary>, DIALOG;
    "import_ratings" => ImportRatings -> Option<ImportReport>, DIALOG;
    "rename_rater" => RenameRater -> Rater, DESKTOP;
    "get_personal_model" => GetPersonalModel -> PersonalModel, Remote::Open;
    "export_own_model" => ExportOwnModel -> Option<OwnModelExported>, DIALOG;
    "get_sharing" => GetSharing -> SharingState, SHARING;
    "start_sharing" => StartSharing -> SharingState, SHARING;
    "stop_sharing" => StopSharing -> SharingState, SHARING;
    "unpair_device" => UnpairDevice -> SharingState, SHARING;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_are_unique_and_name_their_request_type() {
        let mut seen = std::collections::HashSet::new();
        for (name, request) in NAMES_AND_TYPES {
            assert!(seen.insert(name), "{name} is listed twice");
            let mut snake = String::new();
            for (i, c) in request.chars().enumerate() {
                if c.is_ascii_uppercase() && i > 0 {
                    snake.push('_');
                }
                snake.push(c.to_ascii_lowercase());
            }
            assert_eq!(
                *name, snake,
                "the request type {request} is not named as its wire name"
            );
        }
        assert_eq!(COMMAND_NAMES.len(), NAMES_AND_TYPES.len());
        assert_eq!(AddScore::NAME, "add_score");
    }

    #[test]
    fn every_command_says_whether_the_network_may_send_it() {
        assert_eq!(remote(AddScore::NAME), Some(Remote::AsRater));
        assert_eq!(remote(GetGallery::NAME), Some(Remote::Open));
        assert_eq!(remote(SetRater::NAME), Some(Remote::PerDevice));
        assert!(matches!(remote(SetPack::NAME), Some(Remote::Admin(_))));
        assert!(matches!(
            remote(StartSharing::NAME),
            Some(Remote::Refused(_))
        ));
        assert!(matches!(
            remote(ChooseFolder::NAME),
            Some(Remote::Refused(_))
        ));
        assert_eq!(remote("no_such_command"), None);
    }

    /// A handler that answers every command with an error naming it, to test the entry.
    struct Refuses;

    impl<C: Command> Handler<C> for Refuses {
        async fn handle(&self, _: C) -> Reply<C> {
            Err(AppError::new(ErrorKind::Internal, C::NAME))
        }
    }

    #[test]
    fn dispatch_decodes_the_request_and_reaches_its_handler() {
        let run = |name: &str, body: Value| {
            let mut future = std::pin::pin!(dispatch(&Refuses, name, body));
            let waker = std::task::Waker::noop();
            match future
                .as_mut()
                .poll(&mut std::task::Context::from_waker(waker))
            {
                std::task::Poll::Ready(answer) => answer,
                std::task::Poll::Pending => panic!("the test handler does not wait"),
            }
        };
        for name in COMMAND_NAMES {
            // Every request that has no field but those with defaults decodes from `{}`; the
            // others say which command's request is not valid.
            let error = run(name, serde_json::json!({})).unwrap_err();
            assert!(
                error.message == *name || error.message.contains(&format!("request for {name}")),
                "{name}: {}",
                error.message
            );
        }
        let error = run("drop_table", serde_json::json!({})).unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotFound);
    }

    #[test]
    fn requests_travel_as_plain_objects() {
        let request = AddRating {
            rater: "ana".into(),
            sha1: "a".repeat(40),
            value: 6.4,
            predicted: None,
            own: false,
        };
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"rater": "ana", "sha1": "a".repeat(40), "value": 6.4, "predicted": null, "own": false})
        );
        assert_eq!(serde_json::from_value::<AddRating>(json).unwrap(), request);
        // An empty request is an empty object, which is what a transport sends for no arguments.
        assert_eq!(
            serde_json::from_value::<GetState>(serde_json::json!({})).unwrap(),
            GetState {}
        );
    }
}
