//! A team's accounts on both backends: a sign-in code works once and not after it expires, the
//! store keeps no token, a device acts as its rater, revocation by device or by rater.

use image_scorer_core::app::team::{image_key, Team};
use std::time::Duration;

use crate::common;
use common::{open_store, Backend};

async fn a_sign_in_code_works_once_and_revocation_holds(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let store = open_store(tmp.path(), backend).await;
    let team = Team::new(store.clone());
    let ana = team
        .add_rater("ana", true, Duration::from_secs(60))
        .await
        .unwrap();
    let ben = team
        .add_rater("ben", false, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(ana.code.len(), 32);
    assert_ne!(ana.code, ben.code);

    let device = team.sign_in(&ana.code, "Firefox").await.unwrap().unwrap();
    assert_eq!(device.account.rater, "ana");
    assert!(device.account.admin);
    assert!(
        team.sign_in(&ana.code, "another").await.unwrap().is_none(),
        "a code works once"
    );
    assert!(team
        .sign_in("0".repeat(32).as_str(), "x")
        .await
        .unwrap()
        .is_none());
    let found = team.device(&device.token).await.unwrap().unwrap();
    assert_eq!(found, device.account);
    assert_eq!(
        team.device_by_image_key(&image_key(&device.token))
            .await
            .unwrap(),
        Some(device.account.clone())
    );
    assert!(team
        .device(&image_key(&device.token))
        .await
        .unwrap()
        .is_none());

    let tablet = team.sign_in(&ben.code, "Safari").await.unwrap().unwrap();
    assert_eq!(tablet.account.rater, "ben");
    assert!(!tablet.account.admin);
    // Added again: a new code, and an admin stays one.
    let again = team
        .add_rater("ana", false, Duration::from_secs(60))
        .await
        .unwrap();
    let phone = team.sign_in(&again.code, "phone").await.unwrap().unwrap();
    assert!(phone.account.admin);

    // Revoked by number: that device only.
    let done = team
        .revoke(&format!("d{}", device.account.device))
        .await
        .unwrap();
    assert_eq!(done.devices, 1);
    assert!(team.device(&device.token).await.unwrap().is_none());
    assert!(!team.is_live(device.account.device).await.unwrap());
    assert!(team.device(&phone.token).await.unwrap().is_some());
    // By name: every device and the unused codes.
    let pending = team
        .add_rater("ben", false, Duration::from_secs(60))
        .await
        .unwrap();
    let done = team.revoke("ben").await.unwrap();
    assert_eq!((done.devices, done.sign_ins), (1, 1));
    assert!(team.device(&tablet.token).await.unwrap().is_none());
    assert!(team.sign_in(&pending.code, "x").await.unwrap().is_none());
    assert!(team
        .revoke("nobody")
        .await
        .unwrap_err()
        .to_string()
        .contains("nobody"));

    let lines = team.list().await.unwrap();
    let revoked = lines.iter().filter(|l| l.revoked_at.is_some()).count();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(revoked, 2);

    // An expired code.
    let late = team.add_rater("cleo", false, Duration::ZERO).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert!(team.sign_in(&late.code, "x").await.unwrap().is_none());

    // The store holds hashes only.
    let hashes = store.account_lines().await.unwrap();
    assert!(!format!("{hashes:?}").contains(&phone.token));
}

both_backends!(a_sign_in_code_works_once_and_revocation_holds);
