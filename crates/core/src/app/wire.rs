//! The store's rows as the doors show them: the one place where core's own types become the
//! protocol's wire types (the store knows only the former).

use crate::store::{
    Counts, Folder, GroupMember, Library, NamedImage, SizedImage, TileRow, UnshownFile,
};
use image_scorer_protocol::{
    GalleryTile, GroupImage, ImageSummary, LibraryCounts, LibraryState, Problem, QueueItem, Root,
};

impl From<Folder> for Root {
    fn from(f: Folder) -> Self {
        Root {
            id: f.id as i32,
            path: f.path,
            excludes: f.excludes,
        }
    }
}

impl From<Counts> for LibraryCounts {
    fn from(c: Counts) -> Self {
        LibraryCounts {
            ok: c.ok,
            unreadable: c.unreadable,
        }
    }
}

impl From<Library> for LibraryState {
    fn from(l: Library) -> Self {
        LibraryState {
            roots: l.roots.into_iter().map(Root::from).collect(),
            counts: l.counts.into(),
        }
    }
}

impl From<NamedImage> for QueueItem {
    fn from(i: NamedImage) -> Self {
        QueueItem {
            sha1: i.sha1,
            name: i.name,
        }
    }
}

impl From<SizedImage> for ImageSummary {
    fn from(i: SizedImage) -> Self {
        ImageSummary {
            sha1: i.sha1,
            name: i.name,
            width: i.width,
            height: i.height,
        }
    }
}

impl From<UnshownFile> for Problem {
    fn from(f: UnshownFile) -> Self {
        Problem {
            folder: f.folder,
            name: f.name,
            error: f.error,
        }
    }
}

impl From<UnshownFile> for GalleryTile {
    /// A file that cannot be shown, as a tile of the unreadable list.
    fn from(f: UnshownFile) -> Self {
        GalleryTile {
            sha1: f.sha1.unwrap_or_default(),
            name: f.name,
            problem: Some(f.error),
            ..GalleryTile::default()
        }
    }
}

impl From<TileRow> for GalleryTile {
    /// A tile without its rank and the own model's prediction, which the app adds.
    fn from(t: TileRow) -> Self {
        GalleryTile {
            sha1: t.image.sha1,
            name: t.image.name,
            width: t.image.width,
            height: t.image.height,
            mine: t.scores.mine,
            mean: t.scores.mean,
            raters: t.scores.raters,
            predicted: t.predicted,
            judgements: t.judgements,
            duplicate: t.duplicate,
            ..GalleryTile::default()
        }
    }
}

impl From<GroupMember> for GroupImage {
    fn from(m: GroupMember) -> Self {
        GroupImage {
            sha1: m.sha1,
            name: m.name,
            width: m.width,
            height: m.height,
            // As a float: exact to 9 PB, and JavaScript's number.
            bytes: m.bytes as f64,
        }
    }
}
