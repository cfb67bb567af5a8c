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
    hash_file_with(path, |_| ()).map(|(hashed, ())| hashed)
}

/// Hashes the file at `path`, streaming, and hands `then` the whole content where it fitted in
/// one buffer (`None` for a larger file): a small file is read once, and whatever else is
/// read of it comes from memory, the very bytes hashed.
pub fn hash_file_with<T>(
    path: &Path,
    then: impl FnOnce(Option<&[u8]>) -> T,
) -> std::io::Result<(Hashed, T)> {
    let file = std::fs::File::open(path)?;
    with_buffer(|buffer| hash_with(file, buffer, then))
}

/// Hashes everything `reader` yields.
pub fn hash_reader(reader: impl Read) -> std::io::Result<Hashed> {
    with_buffer(|buffer| hash_with(reader, buffer, |_| ())).map(|(hashed, ())| hashed)
}

thread_local! {
    /// Each thread's reading buffer, kept between files: a library of small files would
    /// otherwise have a buffer many times a file's size allocated and zeroed for each.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn with_buffer<T>(f: impl FnOnce(&mut [u8]) -> T) -> T {
    BUFFER.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut buffer) => {
            buffer.resize(BUFFER_LEN, 0);
            f(&mut buffer)
        }
        // Only where a reader hashes another file while it is read.
        Err(_) => f(&mut vec![0u8; BUFFER_LEN]),
    })
}

fn hash_with<T>(
    mut reader: impl Read,
    buffer: &mut [u8],
    then: impl FnOnce(Option<&[u8]>) -> T,
) -> std::io::Result<(Hashed, T)> {
    let mut hasher = Sha1::new();
    let mut tail = Vec::with_capacity(TAIL_LEN);
    let mut len = 0u64;
    let mut chunks = 0;
    loop {
        let n = fill(&mut reader, buffer)?;
        if n == 0 {
            break;
        }
        chunks += 1;
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
        if n < buffer.len() {
            break; // the end: `fill` stops short only there
        }
    }
    let whole = (chunks <= 1).then(|| &buffer[..len as usize]);
    let hashed = Hashed {
        sha1: hex::encode(hasher.finalize()),
        len,
        tail,
    };
    Ok((hashed, then(whole)))
}

/// Reads into `buffer` until it is full or the reader ends: how many bytes it holds.
pub(crate) fn fill(reader: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
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

    #[test]
    fn a_file_that_fits_one_buffer_is_handed_over_whole() {
        let dir = tempfile::tempdir().unwrap();
        for len in [0, 5, BUFFER_LEN, BUFFER_LEN + 1] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 % 253) as u8).collect();
            let path = dir.path().join(format!("{len}.bin"));
            std::fs::write(&path, &data).unwrap();
            let (hashed, whole) = hash_file_with(&path, |w| w.map(<[u8]>::to_vec)).unwrap();
            assert_eq!(hashed, hash_reader(&data[..]).unwrap());
            let expected = (len <= BUFFER_LEN).then_some(data);
            assert_eq!(whole, expected, "{len} bytes");
        }
    }
}
