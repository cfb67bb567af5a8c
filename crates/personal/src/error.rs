//! Why a rater's model cannot be fitted or used.

/// Why a model cannot be fitted or used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PersonalError {
    /// An embedding of the wrong width.
    #[error("an embedding has {got} values where the model has {expected}")]
    Width {
        /// The model's width.
        expected: usize,
        /// The embedding's.
        got: usize,
    },
    /// A NaN or infinite value in an embedding or a score.
    #[error("an embedding or a score is not a finite number")]
    NotFinite,
    /// Two ratings of one key given at once.
    #[error("the key {0} is rated twice")]
    DuplicateKey(u64),
    /// The factorisation failed (never expected: the penalised system is positive definite).
    #[error("the model's system could not be factorised")]
    Factorisation,
}

/// Result of the personal model's operations.
pub type Result<T> = std::result::Result<T, PersonalError>;
