//! One component per experiment page.

mod preference;
mod rate;
mod ratings;
mod score;
mod session;
mod similarity;

pub use preference::Preference;
pub use rate::Rate;
pub use ratings::Ratings;
pub use score::Score;
pub use similarity::Similarity;
