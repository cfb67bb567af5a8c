//! A value that follows another at most once per period: for what a page reads again when
//! something changes often (other raters' judgements on a team server), so that a burst of
//! changes costs one reading, made when the period after the first of them ends.

use yew::prelude::*;

/// `value`, changing at most once every `period_ms`; a change arrives within `period_ms`.
#[hook]
pub fn use_settled(value: u32, period_ms: u32) -> u32 {
    let settled = use_state(|| value);
    let latest = use_mut_ref(|| value);
    let pending = use_mut_ref(|| false);
    *latest.borrow_mut() = value;
    {
        let settled = settled.clone();
        use_effect_with(value, move |value| {
            if *value != *settled && !*pending.borrow() {
                *pending.borrow_mut() = true;
                // Fires once; a page gone meanwhile ignores the new state.
                gloo_timers::callback::Timeout::new(period_ms, move || {
                    *pending.borrow_mut() = false;
                    settled.set(*latest.borrow());
                })
                .forget();
            }
        });
    }
    *settled
}
