//! AVIF and JPEG XL (issue 15): files written by the formats' reference encoders (libavif's
//! avifenc, libjxl's cjxl; Debian packages `cargo xtask setup` installs for the tests) decode to
//! the pixels they were made from, are probed with their size, and broken ones get a reason.

use crate::common;

use image::{DynamicImage, GenericImageView, RgbaImage};
use image_scorer_core::library::content_hash::hash_file;
use image_scorer_core::library::decode_file;
use image_scorer_core::library::probe::{probe, Status};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs a reference encoder; fails (never skips) when it is not installed.
fn encode(tool: &str, args: &[&str], input: &Path, output: &Path) {
    let mut cmd = Command::new(tool);
    match tool {
        "cjxl" => cmd.arg(input).arg(output).args(args),
        _ => cmd.args(args).arg(input).arg(output),
    };
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{tool} cannot be run ({e}): `cargo xtask setup --test` installs it (Debian libavif-bin / libjxl-tools)")
    });
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Mean absolute difference per channel between two images of one size (0-255).
fn mean_difference(a: &RgbaImage, b: &RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(&x, &y)| u64::from(x.abs_diff(y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

struct Case {
    name: &'static str,
    tool: &'static str,
    args: &'static [&'static str],
    /// Largest mean difference allowed (0 = the same pixels).
    within: f64,
    grey: bool,
}

fn source(dir: &Path, alpha: bool) -> (PathBuf, RgbaImage) {
    let mut image = image::open(common::fixture_path("chelsea.png"))
        .unwrap()
        .to_rgba8();
    if alpha {
        let w = image.width();
        for (x, _, px) in image.enumerate_pixels_mut() {
            px[3] = (x * 255 / (w - 1)) as u8;
        }
    }
    let path = dir.join(if alpha { "alpha.png" } else { "source.png" });
    if alpha {
        image.save(&path).unwrap();
    } else {
        DynamicImage::ImageRgba8(image.clone())
            .to_rgb8()
            .save(&path)
            .unwrap();
    }
    (path, image)
}

fn check(dir: &Path, case: &Case, alpha: bool) {
    let (input, original) = source(dir, alpha);
    let ext = if case.tool == "cjxl" { "jxl" } else { "avif" };
    let output = dir.join(format!("{}.{ext}", case.name));
    encode(case.tool, case.args, &input, &output);

    let hashed = hash_file(&output).unwrap();
    let p = probe(&output, &hashed.tail, hashed.len);
    assert_eq!(p.status, Status::Ok, "{}: {:?}", case.name, p.error);
    assert_eq!(p.format, Some(ext), "{}", case.name);
    assert_eq!(p.dimensions, Some(original.dimensions()), "{}", case.name);

    let decoded = decode_file(&output).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    assert_eq!(decoded.dimensions(), original.dimensions(), "{}", case.name);
    assert_eq!(decoded.color().has_alpha(), alpha, "{}", case.name);
    let want = if case.grey {
        DynamicImage::ImageLuma8(DynamicImage::ImageRgba8(original.clone()).to_luma8()).to_rgba8()
    } else {
        original
    };
    let diff = mean_difference(&decoded.to_rgba8(), &want);
    println!("{}: mean difference {diff:.3}", case.name);
    assert!(
        diff <= case.within,
        "{}: decoded pixels differ from the source by {diff:.3} on average (allowed {})",
        case.name,
        case.within
    );
}

#[test]
fn avif_files_of_every_layout_and_depth_decode_to_their_source() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // Lossless AVIF stores RGB itself (identity matrix, 4:4:4): the same pixels.
        Case {
            name: "lossless",
            tool: "avifenc",
            args: &["-l"],
            within: 0.0,
            grey: false,
        },
        Case {
            name: "420-8bit-limited-bt601",
            tool: "avifenc",
            args: &[
                "-y", "420", "-d", "8", "-r", "limited", "--cicp", "1/13/6", "--min", "0", "--max",
                "8",
            ],
            within: 3.0,
            grey: false,
        },
        Case {
            name: "444-10bit-full-bt709",
            tool: "avifenc",
            args: &[
                "-y", "444", "-d", "10", "-r", "full", "--cicp", "1/13/1", "--min", "0", "--max",
                "8",
            ],
            within: 2.0,
            grey: false,
        },
        Case {
            name: "422-12bit-bt2020",
            tool: "avifenc",
            args: &[
                "-y", "422", "-d", "12", "--cicp", "9/16/9", "--min", "0", "--max", "8",
            ],
            within: 3.0,
            grey: false,
        },
        Case {
            name: "grey-8bit",
            tool: "avifenc",
            args: &["-y", "400", "-d", "8", "--min", "0", "--max", "8"],
            within: 2.0,
            grey: true,
        },
        Case {
            name: "grey-10bit",
            tool: "avifenc",
            args: &["-y", "400", "-d", "10", "--min", "0", "--max", "8"],
            within: 2.0,
            grey: true,
        },
    ];
    for case in &cases {
        check(dir.path(), case, false);
    }
    // An alpha item beside the colours (decoded separately, then joined).
    check(
        dir.path(),
        &Case {
            name: "alpha",
            tool: "avifenc",
            args: &[
                "-y",
                "444",
                "--min",
                "0",
                "--max",
                "8",
                "--minalpha",
                "0",
                "--maxalpha",
                "0",
            ],
            within: 2.0,
            grey: false,
        },
        true,
    );
}

#[test]
fn jpeg_xl_files_decode_to_their_source() {
    let dir = tempfile::tempdir().unwrap();
    check(
        dir.path(),
        &Case {
            name: "jxl-lossless",
            tool: "cjxl",
            args: &["-d", "0"],
            within: 0.0,
            grey: false,
        },
        false,
    );
    check(
        dir.path(),
        &Case {
            name: "jxl-lossy",
            tool: "cjxl",
            args: &["-d", "1"],
            within: 3.0,
            grey: false,
        },
        false,
    );
    check(
        dir.path(),
        &Case {
            name: "jxl-alpha",
            tool: "cjxl",
            args: &["-d", "0"],
            within: 0.0,
            grey: false,
        },
        true,
    );
}

#[test]
fn broken_avif_and_jpeg_xl_files_get_a_reason_and_a_named_file_decodes_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let (input, _) = source(dir.path(), false);
    let avif = dir.path().join("whole.avif");
    encode("avifenc", &[], &input, &avif);
    let jxl = dir.path().join("whole.jxl");
    encode("cjxl", &["-d", "1"], &input, &jxl);
    for (name, whole) in [("avif", &avif), ("jxl", &jxl)] {
        let bytes = std::fs::read(whole).unwrap();
        // Cut in half: refused at the probe or at the decode, with a reason either way.
        let cut = dir.path().join(format!("cut.{name}"));
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let hashed = hash_file(&cut).unwrap();
        let p = probe(&cut, &hashed.tail, hashed.len);
        if p.status == Status::Ok {
            let e = decode_file(&cut).expect_err(name);
            assert!(e.contains("cannot be decoded"), "{name}: {e}");
        } else {
            assert_eq!(p.status, Status::Unreadable, "{name}: {p:?}");
            assert!(p.error.unwrap().contains(&name.to_uppercase()), "{name}");
        }
        // Its header followed by noise.
        let mut noisy = bytes[..bytes.len().min(400)].to_vec();
        noisy.extend((0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        let noise = dir.path().join(format!("noise.{name}"));
        std::fs::write(&noise, &noisy).unwrap();
        let hashed = hash_file(&noise).unwrap();
        let p = probe(&noise, &hashed.tail, hashed.len);
        if p.status == Status::Ok {
            assert!(decode_file(&noise).is_err(), "{name}: noise decoded");
        }
        // Named as a PNG: decoded as what it is.
        let named = dir.path().join(format!("really-{name}.png"));
        std::fs::copy(whole, &named).unwrap();
        assert_eq!(
            decode_file(&named).unwrap().dimensions(),
            (451, 300),
            "{name}"
        );
    }
}
