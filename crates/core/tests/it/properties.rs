//! The parsers under random input (proptest): the image scheme's addresses, the exclusion
//! patterns, a pack's `pack.toml`, the JSONL import reader and the import's time rule. Each
//! holds its promise for any input: no panic, and what it accepts is what it should accept.
//! A failure found here becomes a regular test beside the parser.

use image_scorer_core::import;
use image_scorer_core::inference::discover_packs;
use image_scorer_core::library::serve::{parse_request, ImageRequest};
use image_scorer_core::library::Excludes;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text that looks like an image address half of the time.
fn address() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(/thumb)?/[0-9a-fA-F./%]{0,44}",
        "(/thumb|/full|/thumb/thumb|)/?[0-9a-f]{38,42}(/.*)?",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn an_address_names_a_hash_exactly_or_nothing(path in address()) {
        match parse_request(&path) {
            None => {}
            Some(request) => {
                let sha1 = request.sha1();
                prop_assert_eq!(sha1.len(), 40);
                prop_assert!(sha1.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
                let expected = match &request {
                    ImageRequest::Original(_) => format!("/{sha1}"),
                    ImageRequest::Thumbnail(_) => format!("/thumb/{sha1}"),
                };
                prop_assert_eq!(path, expected);
            }
        }
    }

    #[test]
    fn every_hash_has_its_two_addresses(sha1 in "[0-9a-f]{40}") {
        prop_assert_eq!(parse_request(&format!("/{sha1}")), Some(ImageRequest::Original(sha1.clone())));
        prop_assert_eq!(parse_request(&format!("/thumb/{sha1}")), Some(ImageRequest::Thumbnail(sha1)));
    }

    #[test]
    fn exclusion_patterns_compile_or_say_which_line(
        patterns in prop::collection::vec(prop_oneof![any::<String>(), "[*?\\[\\]{}a-z/.!,#-]{0,12}"], 0..6),
        name in "[a-zA-Z0-9 ._-]{0,16}",
    ) {
        let text = patterns.join("\n");
        match Excludes::parse(&text) {
            Ok(excludes) => {
                let _ = excludes.excludes(&name, &format!("sub/{name}"));
            }
            Err(message) => prop_assert!(message.contains("is not valid"), "{}", message),
        }
    }

    #[test]
    fn a_plain_name_pattern_excludes_that_name_in_any_case(name in "[a-zA-Z0-9_]{1,12}\\.[a-z]{3}") {
        let excludes = Excludes::parse(&name).unwrap();
        let upper = name.to_uppercase();
        let deep = format!("deep/{upper}");
        prop_assert!(excludes.excludes(&upper, &deep), "{} not excluded", upper);
        let other = format!("x{name}");
        prop_assert!(!excludes.excludes(&other, &other));
    }

    #[test]
    fn any_pack_toml_is_listed_usable_or_with_its_problem(
        text in prop_oneof![
            any::<String>(),
            "name = \"[a-z]{0,8}\"\n\\[encoder\\]\nfile = \"[a-z.]{0,8}\"\nsize = [0-9a-z\"-]{1,6}\nwidth = [0-9-]{1,5}\n",
        ],
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("packs").join("p");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("pack.toml"), &text).unwrap();
        let found = discover_packs(&[("packs", tmp.path().join("packs"))]);
        prop_assert_eq!(found.len(), 1);
        let info = &found[0].0;
        prop_assert_eq!(&info.id, "packs/p");
        if let Some(problem) = &info.problem {
            prop_assert!(problem.starts_with("pack.toml is not valid"), "{}", problem);
        }
    }

    #[test]
    fn a_jsonl_file_of_anything_reads_or_fails_with_a_reason(
        lines in prop::collection::vec(jsonl_line(), 0..8),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("in.jsonl");
        std::fs::write(&path, lines.join("\n")).unwrap();
        match import::read(&path) {
            Ok((batch, _skips)) => {
                for j in &batch.judgements {
                    prop_assert!(j.judgement.validate().is_ok());
                }
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn a_time_is_read_as_a_log_time_or_not_at_all(value in time_value()) {
        let reader = import::time::TimeReader::new().unwrap();
        if let Some(t) = reader.read(&value).unwrap() {
            // 2024-05-01T12:00:00.000Z, between 2000 and 2200.
            prop_assert_eq!(t.len(), 24, "{}", t);
            prop_assert!(t.ends_with('Z') && &t[10..11] == "T", "{}", t);
            prop_assert!(("2000".."2200").contains(&&t[..4]), "{}", t);
        }
    }
}

/// A line of a JSONL export: often an object with the export's keys and odd values.
fn jsonl_line() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just("null".to_owned()),
        any::<f64>().prop_map(|f| if f.is_finite() {
            f.to_string()
        } else {
            "1e999".into()
        }),
        any::<i64>().prop_map(|i| i.to_string()),
        "\"[ -~]{0,12}\"",
        "\"[0-9a-f]{40}\"",
        Just("\"2024-05-01T12:00:00Z\"".to_owned()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
    ];
    let key = prop_oneof![
        Just("sha1"),
        Just("scores"),
        Just("rater"),
        Just("time"),
        Just("score"),
        Just("images"),
        Just("outcome"),
        Just("winner"),
        Just("kind"),
        Just("value"),
    ];
    prop_oneof![
        any::<String>(),
        prop::collection::vec((key, value), 0..6).prop_map(|pairs| {
            let fields: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", fields.join(","))
        }),
    ]
}

fn time_value() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        any::<String>().prop_map(serde_json::Value::from),
        "[0-9 :T.Z+-]{0,26}".prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
    ]
}
