//! What a page's key table shows: the help overlay and the buttons, made from the same
//! [`KeyTable`] as the key handling.

use crate::keys::KeyTable;
use yew::prelude::*;

/// The help overlay (`id`) listing every key of `table`, with `note` under it.
pub fn key_help<A: Copy + PartialEq + 'static>(id: &str, table: &KeyTable<A>, note: &str) -> Html {
    html! {
        <div class="help" id={id.to_owned()} role="dialog" aria-label="Keys">
            <h2>{ "Keys" }</h2>
            <table>
                { for table.help_rows().into_iter().map(|(keys, what)| html! {
                    <tr><td><kbd>{ keys }</kbd></td><td>{ what }</td></tr>
                }) }
            </table>
            <p class="note">{ note.to_owned() }</p>
        </div>
    }
}

/// A toolbar button for `action`, titled with its keys from `table` (a button labelled with a
/// symbol, like `?` or `+`, is titled with what the help says it does). A click does not take
/// the keyboard focus, so the page's keys keep working after it.
pub fn key_button<A: Copy + PartialEq + 'static>(
    table: &KeyTable<A>,
    label: &str,
    action: A,
    class: &str,
    on: &Callback<A>,
) -> Html {
    let name = if label.chars().any(char::is_alphanumeric) {
        label.to_owned()
    } else {
        let help = table.help_of(action);
        let mut chars = help.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_else(|| label.to_owned())
    };
    html! {
        <button class={classes!("score-button", class.to_owned())} title={table.title(&name, action)}
            onclick={on.reform(move |_| action)} onmousedown={crate::hooks::keep_focus}>{ label.to_owned() }</button>
    }
}
