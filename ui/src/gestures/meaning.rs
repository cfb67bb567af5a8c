//! What a gesture means on a page: paging through Score and Rate, choosing in Preference.

use super::Gesture;

/// What a gesture does on a page of one image at a time (Score, Rate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paging {
    Next,
    Back,
    /// Zoom in (true) or out.
    Zoom(bool),
}

/// Score and Rate: a swipe left is the next image and right the one before; a double tap
/// zooms in or out, and so do two fingers apart or together. A tap does nothing there (a
/// thumb resting on the image must not act).
pub fn paging(gesture: Gesture, zoomed: bool) -> Option<Paging> {
    match gesture {
        Gesture::SwipeLeft => Some(Paging::Next),
        Gesture::SwipeRight => Some(Paging::Back),
        Gesture::DoubleTap(_) => Some(Paging::Zoom(!zoomed)),
        Gesture::PinchOut(_) if !zoomed => Some(Paging::Zoom(true)),
        Gesture::PinchIn(_) if zoomed => Some(Paging::Zoom(false)),
        _ => None,
    }
}

/// What a gesture does on the Preference page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choosing {
    /// Pick the image at this position as the best.
    Pick(usize),
    /// Zoom the image at this position, or close the zoom.
    Zoom(Option<usize>),
    /// While zoomed: the next image of the set (true) or the one before.
    Flip(bool),
}

/// Preference: a tap on an image picks it at once (so a tap is never held back to wait for a
/// second one); holding an image or spreading two fingers on it zooms it. Zoomed, a swipe
/// flips through the set, and a double tap or two fingers together close the zoom.
pub fn choosing(gesture: Gesture, zoomed: Option<usize>) -> Option<Choosing> {
    match (gesture, zoomed) {
        (Gesture::Tap(p), None) => Some(Choosing::Pick(p)),
        (Gesture::Hold(p) | Gesture::PinchOut(p), None) => Some(Choosing::Zoom(Some(p))),
        (Gesture::SwipeLeft, Some(_)) => Some(Choosing::Flip(true)),
        (Gesture::SwipeRight, Some(_)) => Some(Choosing::Flip(false)),
        (Gesture::DoubleTap(_) | Gesture::PinchIn(_), Some(_)) => Some(Choosing::Zoom(None)),
        _ => None,
    }
}
