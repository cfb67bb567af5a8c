//! The export form: the format, whose judgements, the score and the paths, then the save
//! dialog the app shows.

use super::raters::RaterChoice;
use image_scorer_protocol::{ExportFormat, ExportOptions, PathStyle, ScoreMode};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// The properties of [`ExportForm`].
#[derive(Properties, PartialEq)]
pub struct ExportFormProps {
    /// Export with these options.
    pub on_export: Callback<ExportOptions>,
}

/// The export form.
#[function_component]
pub fn ExportForm(props: &ExportFormProps) -> Html {
    let options = use_state(ExportOptions::default);
    let set = |edit: fn(&mut ExportOptions)| {
        let options = options.clone();
        Callback::from(move |_: Event| {
            let mut next = (*options).clone();
            edit(&mut next);
            options.set(next);
        })
    };
    let format_choice = {
        let options = options.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                if let Some(format) = ExportFormat::parse(&select.value()) {
                    options.set(ExportOptions {
                        format,
                        ..(*options).clone()
                    });
                }
            }
        })
    };
    let on_raters = {
        let options = options.clone();
        Callback::from(move |raters: Vec<String>| {
            options.set(ExportOptions {
                raters,
                ..(*options).clone()
            })
        })
    };
    let export = {
        let (options, on_export) = (options.clone(), props.on_export.clone());
        Callback::from(move |_: MouseEvent| on_export.emit((*options).clone()))
    };
    let o = &*options;
    let tables = !matches!(o.format, ExportFormat::Comparisons);
    html! {
        <>
            <h2>{ "Export" }</h2>
            <label>{ "Format " }
                <select id="export-format" onchange={format_choice}>
                    { for ExportFormat::ALL.iter().map(|f| html! {
                        <option value={f.as_str()} selected={*f == o.format}>{ f.label() }</option>
                    }) }
                </select>
            </label>
            <RaterChoice chosen={o.raters.clone()} on_change={on_raters} />
            if tables {
                <fieldset>
                    <legend>{ "Score" }</legend>
                    <label><input type="radio" name="mode" id="export-mean" checked={o.mode == ScoreMode::Mean}
                        onchange={set(|o| o.mode = ScoreMode::Mean)} />{ "the mean over the raters" }</label>
                    <label><input type="radio" name="mode" id="export-per-rater" checked={o.mode == ScoreMode::PerRater}
                        onchange={set(|o| o.mode = ScoreMode::PerRater)} />{ "each rater's own (a row per rater)" }</label>
                </fieldset>
            }
            <fieldset>
                <legend>{ "Paths" }</legend>
                <label><input type="radio" name="paths" id="export-absolute" checked={o.paths == PathStyle::Absolute}
                    onchange={set(|o| o.paths = PathStyle::Absolute)} />{ "full" }</label>
                <label><input type="radio" name="paths" id="export-relative" checked={o.paths == PathStyle::Relative}
                    onchange={set(|o| o.paths = PathStyle::Relative)} />{ "below the folder" }</label>
            </fieldset>
            if tables {
                <label><input type="checkbox" id="export-duplicates" checked={o.include_duplicates}
                    onchange={set(|o| o.include_duplicates = !o.include_duplicates)} />{ "include images marked as duplicates" }</label>
            }
            if matches!(o.format, ExportFormat::Csv | ExportFormat::Parquet) {
                <label title="How many raters each image's mean rests on, so a trainer can weight or filter by it">
                    <input type="checkbox" id="export-count" checked={o.count}
                    onchange={set(|o| o.count = !o.count)} />{ "add the number of raters (count)" }</label>
            }
            <p><button class="primary" id="export-button" onclick={export}>{ "Export…" }</button></p>
        </>
    }
}
