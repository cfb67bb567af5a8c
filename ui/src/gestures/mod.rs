//! Touch gestures over the images of a trial: tap, double tap, hold, swipe and pinch, read
//! from pointer events (a finger, a pen, or a mouse dragged across the image). Pure: times and
//! places go in, gestures come out, so the rules are tested without a screen.
//!
//! A mouse only swipes here (a drag across the image); its clicks stay the page's clicks. A
//! finger's tap is a gesture, and the click the browser makes of it afterwards is ignored.

mod meaning;

pub use meaning::{choosing, paging, Choosing, Paging};

use std::collections::HashMap;

/// What a finger (or a dragged mouse) did over the image at `position` of the trial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gesture {
    /// One short touch without moving.
    Tap(usize),
    /// Two taps in quick succession on the same image.
    DoubleTap(usize),
    /// A touch held without moving (emitted by the page's timer through [`Gestures::held`]).
    Hold(usize),
    /// Across the image leftwards (the next image comes from the right).
    SwipeLeft,
    /// Across the image rightwards (back).
    SwipeRight,
    /// Two fingers apart: zoom in.
    PinchOut(usize),
    /// Two fingers together: zoom out.
    PinchIn(usize),
}

/// The kind of pointer, as `PointerEvent.pointerType` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pointer {
    Mouse,
    /// A finger or a pen.
    Touch,
}

impl Pointer {
    /// From `pointerType` ("mouse", "touch", "pen", or "" when unknown: a mouse).
    pub fn of(kind: &str) -> Self {
        match kind {
            "touch" | "pen" => Self::Touch,
            _ => Self::Mouse,
        }
    }
}

/// The least horizontal travel of a swipe, in CSS pixels.
pub const SWIPE_MIN_PX: f64 = 50.0;
/// A swipe is at least this many times wider than it is tall.
pub const SWIPE_SLOPE: f64 = 1.5;
/// A swipe takes at most this long.
pub const SWIPE_MAX_MS: f64 = 1000.0;
/// A tap or a hold moves at most this far.
pub const TAP_SLOP_PX: f64 = 12.0;
/// A tap is shorter than this.
pub const TAP_MAX_MS: f64 = 500.0;
/// How long a touch is held before it is a hold.
pub const HOLD_MS: u32 = 550;
/// The second tap of a double tap comes within this time of the first, this near it.
pub const DOUBLE_TAP_MS: f64 = 350.0;
pub const DOUBLE_TAP_PX: f64 = 40.0;
/// Two fingers' distance grows (or shrinks) by this factor before it is a pinch.
pub const PINCH_RATIO: f64 = 1.25;
/// How long after a touch a click is taken to be the browser's copy of it.
const CLICK_AFTER_TOUCH_MS: f64 = 800.0;

#[derive(Clone, Copy, Debug)]
struct Down {
    pointer: Pointer,
    position: usize,
    x: f64,
    y: f64,
    at: f64,
    now_x: f64,
    now_y: f64,
}

impl Down {
    fn moved(&self) -> f64 {
        (self.now_x - self.x).hypot(self.now_y - self.y)
    }
}

/// The pointers on the images now and what they did lately; see the module.
#[derive(Debug, Default)]
pub struct Gestures {
    down: HashMap<i32, Down>,
    /// Two fingers' distance when the second came down.
    pinch_from: Option<f64>,
    /// A pinch happened: the fingers still down make no other gesture.
    spent: bool,
    last_tap: Option<(usize, f64, f64, f64)>,
    last_touch: Option<f64>,
    /// A mouse swipe ended: the click that follows it is not a click.
    swallow_click: bool,
    /// The pointer held (a hold was emitted for it).
    held: Option<i32>,
}

impl Gestures {
    /// A pointer came down over the image at `position` at time `at` (ms).
    pub fn down(&mut self, id: i32, pointer: Pointer, position: usize, x: f64, y: f64, at: f64) {
        if pointer == Pointer::Touch {
            self.last_touch = Some(at);
        }
        if self.down.is_empty() {
            self.spent = false;
            self.held = None;
        }
        self.down.insert(
            id,
            Down {
                pointer,
                position,
                x,
                y,
                at,
                now_x: x,
                now_y: y,
            },
        );
        let touches: Vec<&Down> = self
            .down
            .values()
            .filter(|d| d.pointer == Pointer::Touch)
            .collect();
        self.pinch_from = match touches.as_slice() {
            [a, b] => Some((a.x - b.x).hypot(a.y - b.y).max(1.0)),
            _ => None,
        };
    }

    /// A pointer moved. Returns a pinch once two fingers have moved far enough apart or
    /// together.
    pub fn moved(&mut self, id: i32, x: f64, y: f64) -> Option<Gesture> {
        let d = self.down.get_mut(&id)?;
        d.now_x = x;
        d.now_y = y;
        let from = self.pinch_from?;
        if self.spent {
            return None;
        }
        let fingers: Vec<&Down> = self.down.values().collect();
        let [a, b] = fingers.as_slice() else {
            return None;
        };
        let ratio = (a.now_x - b.now_x).hypot(a.now_y - b.now_y) / from;
        let position = a.position;
        let gesture = if ratio >= PINCH_RATIO {
            Gesture::PinchOut(position)
        } else if ratio <= 1.0 / PINCH_RATIO {
            Gesture::PinchIn(position)
        } else {
            return None;
        };
        self.spent = true;
        Some(gesture)
    }

    /// A pointer went up at time `at`. Returns the tap, double tap or swipe it ended.
    pub fn up(&mut self, id: i32, x: f64, y: f64, at: f64) -> Option<Gesture> {
        let mut d = self.down.remove(&id)?;
        d.now_x = x;
        d.now_y = y;
        let others = !self.down.is_empty();
        if self.pinch_from.take().is_some() || others || self.spent {
            // The end of a two-finger touch: nothing more from it.
            self.spent = true;
            return None;
        }
        if self.held == Some(id) {
            return None;
        }
        let (dx, dy, took) = (d.now_x - d.x, d.now_y - d.y, at - d.at);
        if dx.abs() >= SWIPE_MIN_PX && dx.abs() >= SWIPE_SLOPE * dy.abs() && took <= SWIPE_MAX_MS {
            if d.pointer == Pointer::Mouse {
                self.swallow_click = true;
            }
            self.last_tap = None;
            return Some(if dx < 0.0 {
                Gesture::SwipeLeft
            } else {
                Gesture::SwipeRight
            });
        }
        if d.pointer == Pointer::Mouse || d.moved() > TAP_SLOP_PX || took >= TAP_MAX_MS {
            return None;
        }
        if let Some((position, tx, ty, t)) = self.last_tap.take() {
            if position == d.position
                && at - t <= DOUBLE_TAP_MS
                && (x - tx).hypot(y - ty) <= DOUBLE_TAP_PX
            {
                return Some(Gesture::DoubleTap(position));
            }
        }
        self.last_tap = Some((d.position, x, y, at));
        Some(Gesture::Tap(d.position))
    }

    /// The browser took the pointer (a scroll, a system gesture): it makes no gesture.
    pub fn cancel(&mut self, id: i32) {
        self.down.remove(&id);
        self.pinch_from = None;
        if !self.down.is_empty() {
            self.spent = true;
        }
    }

    /// The hold timer of pointer `id` ran out: a hold, if that pointer is still down alone and
    /// has stayed where it came down.
    pub fn held(&mut self, id: i32) -> Option<Gesture> {
        let d = self.down.get(&id)?;
        if self.down.len() > 1
            || self.spent
            || d.pointer != Pointer::Touch
            || d.moved() > TAP_SLOP_PX
        {
            return None;
        }
        self.held = Some(id);
        self.last_tap = None;
        Some(Gesture::Hold(d.position))
    }

    /// Whether a click at time `at` is a click of its own (a mouse's), not the browser's copy
    /// of a touch or the end of a mouse swipe.
    pub fn take_click(&mut self, at: f64) -> bool {
        if std::mem::take(&mut self.swallow_click) {
            return false;
        }
        !matches!(self.last_touch, Some(t) if at - t <= CLICK_AFTER_TOUCH_MS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const T: Pointer = Pointer::Touch;
    const M: Pointer = Pointer::Mouse;

    fn stroke(
        g: &mut Gestures,
        p: Pointer,
        from: (f64, f64),
        to: (f64, f64),
        at: f64,
        took: f64,
    ) -> Option<Gesture> {
        g.down(1, p, 0, from.0, from.1, at);
        g.moved(1, (from.0 + to.0) / 2.0, (from.1 + to.1) / 2.0);
        g.moved(1, to.0, to.1);
        g.up(1, to.0, to.1, at + took)
    }

    #[test]
    fn a_finger_across_the_image_swipes_either_way() {
        let mut g = Gestures::default();
        assert_eq!(
            stroke(&mut g, T, (300.0, 400.0), (150.0, 420.0), 0.0, 200.0),
            Some(Gesture::SwipeLeft)
        );
        assert_eq!(
            stroke(&mut g, T, (150.0, 400.0), (300.0, 380.0), 1000.0, 200.0),
            Some(Gesture::SwipeRight)
        );
    }

    #[test]
    fn short_steep_or_slow_strokes_are_not_swipes() {
        let mut g = Gestures::default();
        // Too short, too steep (a scroll), too slow (the finger rested, then moved).
        assert_eq!(
            stroke(&mut g, T, (300.0, 400.0), (270.0, 400.0), 0.0, 100.0),
            None
        );
        assert_eq!(
            stroke(&mut g, T, (300.0, 400.0), (220.0, 520.0), 2000.0, 200.0),
            None
        );
        assert_eq!(
            stroke(&mut g, T, (300.0, 400.0), (100.0, 400.0), 4000.0, 1500.0),
            None
        );
    }

    #[test]
    fn a_tap_and_a_quick_second_tap_on_the_same_image() {
        let mut g = Gestures::default();
        assert_eq!(
            stroke(&mut g, T, (100.0, 100.0), (103.0, 101.0), 0.0, 80.0),
            Some(Gesture::Tap(0))
        );
        assert_eq!(
            stroke(&mut g, T, (105.0, 98.0), (105.0, 98.0), 250.0, 80.0),
            Some(Gesture::DoubleTap(0))
        );
        // A third tap starts again; a late second tap is a tap.
        assert_eq!(
            stroke(&mut g, T, (105.0, 98.0), (105.0, 98.0), 450.0, 60.0),
            Some(Gesture::Tap(0))
        );
        assert_eq!(
            stroke(&mut g, T, (105.0, 98.0), (105.0, 98.0), 1200.0, 60.0),
            Some(Gesture::Tap(0))
        );
    }

    #[test]
    fn taps_on_different_images_are_two_taps() {
        let mut g = Gestures::default();
        g.down(1, T, 0, 100.0, 100.0, 0.0);
        assert_eq!(g.up(1, 100.0, 100.0, 50.0), Some(Gesture::Tap(0)));
        g.down(2, T, 1, 110.0, 100.0, 100.0);
        assert_eq!(g.up(2, 110.0, 100.0, 150.0), Some(Gesture::Tap(1)));
    }

    #[test]
    fn two_fingers_apart_zoom_in_and_together_zoom_out_once() {
        let mut g = Gestures::default();
        g.down(1, T, 0, 200.0, 300.0, 0.0);
        g.down(2, T, 0, 300.0, 300.0, 10.0);
        assert_eq!(g.moved(2, 310.0, 300.0), None);
        assert_eq!(g.moved(2, 340.0, 300.0), Some(Gesture::PinchOut(0)));
        assert_eq!(g.moved(2, 400.0, 300.0), None, "one pinch per touch");
        // Lifting the fingers one by one makes no tap or swipe.
        assert_eq!(g.up(2, 400.0, 300.0, 200.0), None);
        assert_eq!(g.up(1, 120.0, 300.0, 220.0), None);

        g.down(3, T, 0, 100.0, 300.0, 1000.0);
        g.down(4, T, 0, 300.0, 300.0, 1000.0);
        assert_eq!(g.moved(4, 200.0, 300.0), Some(Gesture::PinchIn(0)));
        g.up(3, 100.0, 300.0, 1100.0);
        g.up(4, 200.0, 300.0, 1100.0);
        // The next single touch is itself again.
        assert_eq!(
            stroke(&mut g, T, (300.0, 400.0), (150.0, 400.0), 2000.0, 150.0),
            Some(Gesture::SwipeLeft)
        );
    }

    #[test]
    fn a_held_finger_is_a_hold_and_then_no_tap() {
        let mut g = Gestures::default();
        g.down(1, T, 2, 100.0, 100.0, 0.0);
        g.moved(1, 104.0, 102.0);
        assert_eq!(g.held(1), Some(Gesture::Hold(2)));
        assert_eq!(g.up(1, 104.0, 102.0, 700.0), None);
        // A finger that moved away is not held; nor is a mouse.
        g.down(2, T, 0, 100.0, 100.0, 1000.0);
        g.moved(2, 160.0, 100.0);
        assert_eq!(g.held(2), None);
        g.up(2, 160.0, 100.0, 1600.0);
        g.down(3, M, 0, 100.0, 100.0, 2000.0);
        assert_eq!(g.held(3), None);
    }

    #[test]
    fn a_mouse_only_swipes_and_its_clicks_stay_clicks() {
        let mut g = Gestures::default();
        assert_eq!(
            stroke(&mut g, M, (100.0, 100.0), (100.0, 100.0), 0.0, 80.0),
            None
        );
        assert!(g.take_click(90.0), "a mouse click is a click");
        assert_eq!(
            stroke(&mut g, M, (400.0, 100.0), (200.0, 110.0), 1000.0, 300.0),
            Some(Gesture::SwipeLeft)
        );
        assert!(!g.take_click(1310.0), "the click ending a drag is not");
        assert!(g.take_click(2000.0));
    }

    #[test]
    fn the_browsers_click_after_a_touch_is_ignored() {
        let mut g = Gestures::default();
        assert_eq!(
            stroke(&mut g, T, (100.0, 100.0), (100.0, 100.0), 0.0, 80.0),
            Some(Gesture::Tap(0))
        );
        assert!(!g.take_click(100.0));
        assert!(g.take_click(5000.0), "a mouse click long after is a click");
    }

    #[test]
    fn score_and_rate_page_by_swipes_and_zoom_by_double_taps_and_pinches() {
        assert_eq!(paging(Gesture::SwipeLeft, false), Some(Paging::Next));
        assert_eq!(paging(Gesture::SwipeRight, true), Some(Paging::Back));
        assert_eq!(
            paging(Gesture::DoubleTap(0), false),
            Some(Paging::Zoom(true))
        );
        assert_eq!(
            paging(Gesture::DoubleTap(0), true),
            Some(Paging::Zoom(false))
        );
        assert_eq!(
            paging(Gesture::PinchOut(0), false),
            Some(Paging::Zoom(true))
        );
        assert_eq!(paging(Gesture::PinchOut(0), true), None);
        assert_eq!(paging(Gesture::PinchIn(0), true), Some(Paging::Zoom(false)));
        assert_eq!(paging(Gesture::Tap(0), false), None);
        assert_eq!(paging(Gesture::Hold(0), false), None);
    }

    #[test]
    fn preference_picks_by_a_tap_and_zooms_by_a_hold_or_a_pinch() {
        assert_eq!(choosing(Gesture::Tap(2), None), Some(Choosing::Pick(2)));
        assert_eq!(
            choosing(Gesture::Tap(2), Some(2)),
            None,
            "a tap on the zoom picks nothing"
        );
        assert_eq!(
            choosing(Gesture::Hold(3), None),
            Some(Choosing::Zoom(Some(3)))
        );
        assert_eq!(
            choosing(Gesture::PinchOut(1), None),
            Some(Choosing::Zoom(Some(1)))
        );
        assert_eq!(
            choosing(Gesture::SwipeLeft, Some(0)),
            Some(Choosing::Flip(true))
        );
        assert_eq!(
            choosing(Gesture::SwipeRight, Some(0)),
            Some(Choosing::Flip(false))
        );
        assert_eq!(
            choosing(Gesture::SwipeLeft, None),
            None,
            "a swipe over a set picks nothing"
        );
        assert_eq!(
            choosing(Gesture::DoubleTap(0), Some(0)),
            Some(Choosing::Zoom(None))
        );
        assert_eq!(
            choosing(Gesture::PinchIn(0), Some(0)),
            Some(Choosing::Zoom(None))
        );
    }

    #[test]
    fn a_cancelled_pointer_makes_nothing() {
        let mut g = Gestures::default();
        g.down(1, T, 0, 300.0, 100.0, 0.0);
        g.moved(1, 100.0, 100.0);
        g.cancel(1);
        assert_eq!(g.up(1, 100.0, 100.0, 100.0), None);
    }
}
