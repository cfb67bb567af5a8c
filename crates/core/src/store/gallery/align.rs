//! Aligning the log's rows with the library's: both in image-id order, so each id is found a
//! step or a few from the last.

use super::{index_of, GalleryBase};

/// Finds ids among the images (in id order) by walking forward from the last one found: ids
/// asked for in rising order (as the log's reads give them) cost a step each instead of a
/// binary search of the whole library; one asked for out of order is found by binary search.
pub(super) struct Cursor<'a> {
    base: &'a [GalleryBase],
    at: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(base: &'a [GalleryBase]) -> Self {
        Self { base, at: 0 }
    }

    /// The place of `id`, if it is there.
    pub(super) fn find(&mut self, id: i64) -> Option<usize> {
        let ahead = self.base.get(self.at).is_some_and(|b| b.id <= id);
        if !ahead {
            let k = index_of(self.base, id);
            if let Some(k) = k {
                self.at = k;
            }
            return k;
        }
        // Steps of doubling length, then a binary search within the last one.
        let mut step = 1;
        let mut low = self.at;
        while low + step < self.base.len() && self.base[low + step].id <= id {
            low += step;
            step *= 2;
        }
        let high = (low + step).min(self.base.len());
        match self.base[low..high].binary_search_by_key(&id, |b| b.id) {
            Ok(k) => {
                self.at = low + k;
                Some(low + k)
            }
            Err(k) => {
                self.at = low + k.saturating_sub(1);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(ids: &[i64]) -> Vec<GalleryBase> {
        ids.iter()
            .map(|&id| GalleryBase {
                id,
                ..GalleryBase::default()
            })
            .collect()
    }

    #[test]
    fn finds_what_a_binary_search_finds_in_any_order() {
        let ids: Vec<i64> = (0..500).map(|i| i * 4 + i % 3).collect();
        let base = base(&ids);
        let mut rng = fastrand::Rng::with_seed(4);
        // Rising (as the log is read), with gaps and absent ids; then in any order.
        let mut asked: Vec<i64> = (0..2100).filter(|_| rng.bool()).collect();
        let mut shuffled = asked.clone();
        rng.shuffle(&mut shuffled);
        asked.extend(shuffled);
        asked.extend([-5, 10_000, 0, 0, 1_997]);
        let mut cursor = Cursor::new(&base);
        for id in asked {
            assert_eq!(cursor.find(id), index_of(&base, id), "id {id}");
        }
        assert_eq!(Cursor::new(&[]).find(3), None);
    }
}
