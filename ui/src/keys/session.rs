//! What the Score and Rate pages both do with their keys: each page's action type has these
//! moves as one of its variants, so the page around the scoring session makes them once.

/// What the Score and Rate pages both do, whatever keys their tables give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionMove {
    /// Back to the previous image.
    Back,
    /// On to the next image, judging nothing.
    Skip,
    /// Undo the rater's last judgement.
    Undo,
    /// Zoom in or out.
    Zoom,
    /// Close what is open (zoom, help).
    Close,
    /// Show or hide every key.
    Help,
    /// Switch the order: "teach my model", or shuffled.
    Teach,
    /// The library images most like the one on screen.
    Similar,
}
