//! The gallery's arithmetic, apart from the DOM: which rows a scroll position shows, which
//! pages of tiles they need, and the tiles the app has sent so far.

use image_scorer_protocol::{GalleryPage, GalleryTile};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// Tiles per page asked of the app.
pub const PAGE: u32 = 200;
/// A tile's box, gap included, in CSS pixels.
pub const TILE_W: f64 = 184.0;
/// See [`TILE_W`].
pub const TILE_H: f64 = 248.0;
/// Rows drawn beyond the visible ones, above and below.
pub const OVERSCAN: u32 = 1;
/// The tallest the scrolling space is made, in CSS pixels. Browsers cap an element's height
/// (WebKit near 2^25 pixels, Firefox near 1.8e7), which a library of a million tiles passes
/// (its grid is about 4e7 pixels tall), so a taller grid is scrolled in proportion: the
/// space's scroll position maps to the grid's, its end to the grid's end.
pub const MAX_SPACE: f64 = 1.6e7;

/// The visible part of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Viewport {
    /// How far it is scrolled, in pixels.
    pub top: f64,
    /// Its height.
    pub height: f64,
    /// Its width.
    pub width: f64,
}

impl Viewport {
    /// Tiles per row.
    pub fn columns(&self) -> u32 {
        ((self.width / TILE_W).floor() as u32).max(1)
    }

    /// Rows that fit on a screen.
    pub fn rows_on_screen(&self) -> u32 {
        ((self.height / TILE_H).floor() as u32).max(1)
    }

    /// The grid's height for `total` tiles.
    fn grid_height(&self, total: u32) -> f64 {
        f64::from(total.div_ceil(self.columns())) * TILE_H
    }

    /// The scrolling space's height for `total` tiles: the grid's, at most [`MAX_SPACE`].
    pub fn space_height(&self, total: u32) -> f64 {
        self.grid_height(total).min(MAX_SPACE)
    }

    /// Grid pixels per pixel scrolled: 1 while the grid fits in the space, else what maps the
    /// space's last scroll position to the grid's.
    fn scale(&self, total: u32) -> f64 {
        let (grid, space) = (self.grid_height(total), self.space_height(total));
        if grid <= space {
            1.0
        } else {
            ((grid - self.height) / (space - self.height).max(1.0)).max(1.0)
        }
    }

    /// The grid's pixel at the top of the view.
    fn grid_top(&self, total: u32) -> f64 {
        self.top * self.scale(total)
    }

    /// How far a tile is drawn from its place in the grid: none while the grid fits the space,
    /// else what brings the rows in view to where the space is scrolled.
    pub fn offset(&self, total: u32) -> f64 {
        self.top - self.grid_top(total)
    }

    /// The positions to draw for `total` tiles: the visible rows and [`OVERSCAN`] around them.
    pub fn drawn(&self, total: u32) -> Range<u32> {
        let columns = self.columns();
        let top = self.grid_top(total);
        let first_row = ((top / TILE_H).floor() as u32).saturating_sub(OVERSCAN);
        let last_row = ((top + self.height) / TILE_H).ceil() as u32 + OVERSCAN;
        (first_row * columns).min(total)..(last_row * columns).min(total)
    }

    /// The scroll position that shows the row of `position` (of `total`) whole, from this one
    /// (unchanged when it is already in view).
    pub fn scrolled_to(&self, position: u32, total: u32) -> f64 {
        let row = f64::from(position / self.columns());
        let (top, bottom) = (row * TILE_H, (row + 1.0) * TILE_H);
        let (now, scale) = (self.grid_top(total), self.scale(total));
        if top < now {
            top / scale
        } else if bottom > now + self.height {
            ((bottom - self.height) / scale).max(0.0)
        } else {
            self.top
        }
    }
}

/// The tiles received for one order of the gallery, by page.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Pages {
    /// The order they belong to (0: none yet).
    pub order: u32,
    /// How many tiles the order has.
    pub total: u32,
    /// The pages received.
    pages: HashMap<u32, Vec<GalleryTile>>,
    /// The pages asked for and not received.
    pub asked: HashSet<u32>,
    /// Bumped by [`Pages::restart`]: answers to older questions are dropped.
    pub epoch: u32,
}

impl Pages {
    /// Takes in a page from the app. A page of another order replaces everything held (the
    /// library changed, or the order was computed again).
    pub fn receive(&mut self, page: GalleryPage) {
        if page.order != self.order {
            self.pages.clear();
            self.asked.clear();
            self.order = page.order;
        }
        self.total = page.total;
        let index = page.start / PAGE;
        self.asked.remove(&index);
        self.pages.insert(index, page.tiles);
    }

    /// Forgets everything for a new query (answers to the old one are dropped).
    pub fn restart(&mut self) {
        let epoch = self.epoch.wrapping_add(1);
        *self = Pages {
            epoch,
            ..Pages::default()
        };
    }

    /// The pages that hold `positions`.
    pub fn covering(positions: Range<u32>) -> Vec<u32> {
        if positions.is_empty() {
            return Vec::new();
        }
        (positions.start / PAGE..=(positions.end - 1) / PAGE).collect()
    }

    /// The pages that `positions` need and nobody has asked for yet.
    pub fn missing(&self, positions: Range<u32>) -> Vec<u32> {
        Self::covering(positions)
            .into_iter()
            .filter(|p| !self.pages.contains_key(p) && !self.asked.contains(p))
            .collect()
    }

    /// The tile at `position`, if its page has arrived.
    pub fn tile(&self, position: u32) -> Option<&GalleryTile> {
        self.pages
            .get(&(position / PAGE))?
            .get((position % PAGE) as usize)
    }

    /// The position of the image `sha1` among the tiles received.
    pub fn position_of(&self, sha1: &str) -> Option<u32> {
        self.pages.iter().find_map(|(page, tiles)| {
            let k = tiles.iter().position(|t| t.sha1 == sha1)?;
            Some(page * PAGE + k as u32)
        })
    }

    /// Changes the tile of the image `sha1`, wherever it is among those received.
    pub fn update(&mut self, sha1: &str, change: impl Fn(&mut GalleryTile)) {
        for tiles in self.pages.values_mut() {
            for tile in tiles.iter_mut().filter(|t| t.sha1 == sha1) {
                change(tile);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn tile(n: u32) -> GalleryTile {
        GalleryTile {
            sha1: format!("{n:040}"),
            name: format!("{n}.png"),
            width: 1,
            height: 1,
            mine: None,
            mean: None,
            raters: 0,
            predicted: None,
            own: None,
            rank: None,
            judgements: 0,
            duplicate: false,
            problem: None,
        }
    }

    #[test]
    fn the_viewport_draws_its_rows_and_one_more_each_side() {
        let v = Viewport {
            top: 10.0 * TILE_H,
            height: 3.0 * TILE_H,
            width: 5.0 * TILE_W + 10.0,
        };
        assert_eq!(v.columns(), 5);
        assert_eq!(v.drawn(100_000), 45..70);
        assert_eq!(v.drawn(52), 45..52);
        assert_eq!(
            v.scrolled_to(47, 1000),
            9.0 * TILE_H,
            "row 9 is drawn, not in view"
        );
        assert_eq!(v.scrolled_to(30, 1000), 6.0 * TILE_H);
        assert_eq!(v.scrolled_to(80, 1000), 14.0 * TILE_H);
        assert_eq!(v.scrolled_to(52, 1000), v.top);
        // A grid that fits is drawn where it is.
        assert_eq!(v.offset(100_000), 0.0);
        assert_eq!(v.space_height(100_000), 20_000.0 * TILE_H);
    }

    /// A million tiles make a grid taller than a browser lays out: the space stays under the
    /// cap, and scrolled to its end it draws the last tile, in view.
    #[test]
    fn a_grid_taller_than_the_space_scrolls_in_proportion_to_its_end() {
        let total = 1_000_000;
        let mut v = Viewport {
            top: 0.0,
            height: 700.0,
            width: 6.0 * TILE_W + 20.0,
        };
        let space = v.space_height(total);
        assert_eq!(space, MAX_SPACE);
        assert_eq!(v.drawn(total).start, 0);
        assert_eq!(v.offset(total), 0.0);
        // At the end: the last row drawn, inside the space and in view.
        v.top = space - v.height;
        let drawn = v.drawn(total);
        assert!(drawn.contains(&(total - 1)), "{drawn:?}");
        let last_row = (total - 1) / v.columns();
        let y = f64::from(last_row) * TILE_H + v.offset(total);
        assert!(
            y >= v.top && y + TILE_H <= v.top + v.height + 0.5,
            "{y} in {}",
            v.top
        );
        assert!(y + TILE_H <= space + 0.5);
        // Halfway down the space is halfway down the grid.
        v.top = (space - v.height) / 2.0;
        let middle = v.drawn(total);
        assert!(middle.contains(&(total / 2)), "{middle:?}");
        // Going to a tile scrolls to where it is drawn in view.
        for position in [0, 123_456, total / 2, total - 1] {
            v.top = v.scrolled_to(position, total);
            let row = position / v.columns();
            let y = f64::from(row) * TILE_H + v.offset(total);
            assert!(
                y >= v.top - 0.5 && y + TILE_H <= v.top + v.height + 0.5,
                "tile {position} at {y}, view from {}",
                v.top
            );
            assert!(v.drawn(total).contains(&position));
        }
    }

    #[test]
    fn pages_are_asked_for_once_and_a_new_order_replaces_them() {
        let mut pages = Pages::default();
        assert_eq!(pages.missing(150..450), [0, 1, 2]);
        pages.asked.extend([0, 1, 2]);
        assert!(pages.missing(150..450).is_empty());
        pages.receive(GalleryPage {
            order: 1,
            start: 200,
            tiles: (200..400).map(tile).collect(),
            total: 1000,
        });
        assert_eq!(pages.tile(250).unwrap().name, "250.png");
        assert!(pages.tile(150).is_none());
        assert_eq!(pages.position_of(&format!("{:040}", 399)), Some(399));
        pages.update(&format!("{:040}", 250), |t| t.mine = Some(7.0));
        assert_eq!(pages.tile(250).unwrap().mine, Some(7.0));
        // The library changed: order 2 replaces everything.
        pages.receive(GalleryPage {
            order: 2,
            start: 0,
            tiles: (0..200).map(tile).collect(),
            total: 1001,
        });
        assert!(pages.tile(250).is_none());
        assert_eq!(pages.missing(150..450), [1, 2]);
        assert_eq!(pages.total, 1001);
    }
}
