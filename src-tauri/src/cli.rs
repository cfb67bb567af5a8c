//! The command line: `image-scorer [FOLDER]`.

use image_scorer_protocol::{AppError, ErrorKind};
use std::ffi::OsString;
use std::path::PathBuf;

/// What the command line asked for.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Args {
    /// A folder to open at start.
    pub folder: Option<PathBuf>,
    /// Arguments that made no sense, to be shown in the UI (the app still starts).
    pub errors: Vec<AppError>,
}

impl Args {
    /// Parses the arguments after the program name. The first plain argument is the folder;
    /// anything else is reported, never fatal.
    pub fn parse(args: impl IntoIterator<Item = OsString>) -> Self {
        let mut parsed = Args::default();
        let mut only_paths = false;
        for arg in args {
            let is_flag = !only_paths && arg.to_str().is_some_and(|s| s.starts_with('-'));
            if arg == "--" && !only_paths {
                only_paths = true;
            } else if is_flag {
                parsed.errors.push(AppError::new(
                    ErrorKind::InvalidInput,
                    format!(
                        "Unknown option “{}” ignored. Usage: image-scorer [FOLDER]",
                        arg.to_string_lossy()
                    ),
                ));
            } else if parsed.folder.is_none() {
                parsed.folder = Some(PathBuf::from(arg));
            } else {
                parsed.errors.push(AppError::new(
                    ErrorKind::InvalidInput,
                    format!(
                        "Extra argument “{}” ignored: open further folders from the app.",
                        arg.to_string_lossy()
                    ),
                ));
            }
        }
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Args {
        Args::parse(args.iter().map(OsString::from))
    }

    #[test]
    fn no_arguments_opens_nothing() {
        assert_eq!(parse(&[]), Args::default());
    }

    #[test]
    fn first_plain_argument_is_the_folder() {
        let args = parse(&["photos", "more"]);
        assert_eq!(args.folder, Some(PathBuf::from("photos")));
        assert_eq!(args.errors.len(), 1);
        assert!(args.errors[0].message.contains("more"));
    }

    #[test]
    fn unknown_flags_are_reported_and_double_dash_allows_dash_names() {
        let args = parse(&["--frobnicate", "--", "-odd-folder"]);
        assert_eq!(args.folder, Some(PathBuf::from("-odd-folder")));
        assert_eq!(args.errors.len(), 1);
        assert_eq!(args.errors[0].kind, ErrorKind::InvalidInput);
        assert!(args.errors[0].message.contains("--frobnicate"));
    }
}
