//! Reading a file once: its SHA-1 and its last bytes (for the integrity check in [`super::probe`]).

use sha1::{Digest, Sha1};
use std::io::Read;
use std::path::Path;

/// How many bytes at the end of a file are kept for the integrity check.
pub const TAIL_LEN: usize = 1024;
const BUFFER_LEN: usize = 256 * 1024;

/// A file's content hash, the bytes read, and its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashed {
    /// SHA-1 of the bytes, 40 lowercase hex digits.
    pub sha1: String,
    /// How many bytes were read.
    pub len: u64,
    /// The last (up to) [`TAIL_LEN`] bytes.
    pub tail: Vec<u8>,
}

/// Hashes the file at `path`, streaming.
pub fn hash_file(path: &Path) -> std::io::Result<Hashed> {
    let file = std::fs::File::open(path)?;
    hash_reader(file)
}

/// Hashes everything `reader` yields.
pub fn hash_reader(mut reader: impl Read) -> std::io::Result<Hashed> {
    let mut hasher = Sha1::new();
    let mut buffer = vec![0u8; BUFFER_LEN];
    let mut tail = Vec::with_capacity(TAIL_LEN);
    let mut len = 0u64;
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buffer[..n];
        hasher.update(chunk);
        len += n as u64;
        if n >= TAIL_LEN {
            tail.clear();
            tail.extend_from_slice(&chunk[n - TAIL_LEN..]);
        } else {
            let overflow = (tail.len() + n).saturating_sub(TAIL_LEN);
            tail.drain(..overflow);
            tail.extend_from_slice(chunk);
        }
    }
    Ok(Hashed {
        sha1: hex::encode(hasher.finalize()),
        len,
        tail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        let empty = hash_reader(&b""[..]).unwrap();
        assert_eq!(empty.sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(empty.len, 0);
        let abc = hash_reader(&b"abc"[..]).unwrap();
        assert_eq!(abc.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(abc.tail, b"abc");
    }

    /// A reader that hands out a few bytes at a time, like a slow disk or pipe.
    struct Trickle<'a>(&'a [u8], usize);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn tail_and_hash_do_not_depend_on_read_sizes() {
        let data: Vec<u8> = (0..(3 * BUFFER_LEN + 777))
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        let whole = hash_reader(&data[..]).unwrap();
        for step in [7, 1000, TAIL_LEN, BUFFER_LEN] {
            let trickled = hash_reader(Trickle(&data, step)).unwrap();
            assert_eq!(trickled, whole, "read size {step}");
        }
        assert_eq!(whole.tail, data[data.len() - TAIL_LEN..]);
        assert_eq!(whole.len, data.len() as u64);
    }
}
