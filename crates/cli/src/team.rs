//! `image-scorer-cli team`: a team server's accounts. `add-rater` prints a one-time sign-in
//! address (and its QR code) for one device of a rater; `list` shows the accounts and their
//! devices; `revoke` signs a device, or every device of a rater, out at once.

use image_scorer_core::app::team::SIGN_IN_LIFETIME;
use image_scorer_core::App;

/// What `team` does.
#[derive(Debug, clap::Subcommand)]
pub enum TeamAction {
    /// Add a rater (or another device of one): prints a sign-in address that works once, for
    /// a week.
    AddRater {
        /// The rater's name.
        name: String,
        /// May change the library, the model pack and the settings from their devices.
        #[arg(long)]
        admin: bool,
        /// Where raters reach the server (default: what `serve` recorded).
        #[arg(long, value_name = "URL")]
        address: Option<String>,
    },
    /// Every account with its devices.
    List,
    /// Sign out a device (its number, as `list` shows it) or every device of a rater.
    Revoke {
        /// A device's number (d7 or 7) or a rater's name.
        target: String,
    },
}

/// Runs one `team` action.
pub async fn run(app: &App, action: TeamAction) -> Result<(), String> {
    let team = app.team();
    match action {
        TeamAction::AddRater {
            name,
            admin,
            address,
        } => {
            let address = match address {
                Some(a) => a,
                None => app
                    .store()
                    .setting(image_scorer_core::app::settings::TEAM_ADDRESS)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or(
                        "say where raters reach the server: --address https://… (serve records \
                         it when it starts)",
                    )?,
            };
            let sign_in = team
                .add_rater(&name, admin, SIGN_IN_LIFETIME)
                .await
                .map_err(|e| e.to_string())?;
            let url = format!("{}/sign-in/{}", address.trim_end_matches('/'), sign_in.code);
            if let Ok(code) = qrcode::QrCode::new(url.as_bytes()) {
                println!(
                    "{}",
                    code.render::<qrcode::render::unicode::Dense1x2>()
                        .quiet_zone(true)
                        .build()
                );
            }
            println!(
                "Sign-in address for {}{} (works once, until {}):\n{url}",
                sign_in.rater,
                if admin { ", admin" } else { "" },
                sign_in.expires_at
            );
            Ok(())
        }
        TeamAction::List => {
            let lines = team.list().await.map_err(|e| e.to_string())?;
            if lines.is_empty() {
                println!("No accounts yet: image-scorer-cli team add-rater NAME");
            }
            for line in lines {
                let role = if line.admin { "admin" } else { "rater" };
                match line.device {
                    None => println!("{} ({role}): no device signed in", line.rater),
                    Some(device) => println!(
                        "{} ({role}): d{device} {} since {}{}",
                        line.rater,
                        if line.agent.is_empty() {
                            "(unknown browser)"
                        } else {
                            &line.agent
                        },
                        line.created_at.unwrap_or_default(),
                        line.revoked_at
                            .map(|at| format!(", signed out {at}"))
                            .unwrap_or_default()
                    ),
                }
            }
            Ok(())
        }
        TeamAction::Revoke { target } => {
            let done = team.revoke(&target).await.map_err(|e| e.to_string())?;
            println!(
                "Signed out {} device(s); {} unused sign-in address(es) no longer work.",
                done.devices, done.sign_ins
            );
            Ok(())
        }
    }
}
