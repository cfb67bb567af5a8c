//! A hostile corpus: files that have hurt image tools, written into a folder, each with what
//! the library must make of it (shown with its size as displayed, or left out with a reason).
//! Decompression bombs and absurd headers, truncated and corrupt files of every format,
//! mislabelled extensions (AVIF and JPEG XL too, written by their reference encoders), empty and
//! 0x0 images, animated GIFs and WebPs, CMYK JPEGs, HEIC, 16-bit and grey images, all eight EXIF
//! orientations, symlink loops and dangling links, and names with a newline, a
//! leading dash, 200 characters or bytes that are not UTF-8.

use image::{ImageFormat, RgbImage};
use std::io::Cursor;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

impl crate::Home {
    /// Runs the command line with `args` as [`Home::cli`] does; its output and its peak
    /// resident memory in bytes (the kernel's high-water mark of the process, from wait4).
    pub fn cli_peak_memory(&self, args: &[&std::ffi::OsStr]) -> (String, u64) {
        let cli = std::env::var_os("IMAGE_SCORER_CLI")
            .expect("IMAGE_SCORER_CLI: the command line binary");
        // Waited for below by wait4, which also gives its peak memory.
        #[allow(clippy::zombie_processes)]
        let child = std::process::Command::new(&cli)
            .args(args)
            .envs(self.env())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the command line runs");
        let pid = child.id() as libc::pid_t;
        let (mut stdout, mut stderr) = (child.stdout.unwrap(), child.stderr.unwrap());
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
            s
        });
        let mut out = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut out);
        let mut status = 0;
        // SAFETY: rusage is plain data, and pid is our own child, waited for once.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let err = err.join().unwrap_or_default();
        assert_eq!(waited, pid, "waiting for image-scorer-cli");
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "image-scorer-cli {args:?} failed ({status}):\n{out}\n{err}"
        );
        // Linux reports ru_maxrss in kilobytes.
        (out, usage.ru_maxrss as u64 * 1024)
    }

    /// Runs the command line with `args` as a user whom file permissions stop: `nobody` when
    /// the tests run as root (whom permission bits do not stop), this user otherwise. Its
    /// output.
    pub fn cli_unprivileged(&self, args: &[&std::ffi::OsStr]) -> String {
        let cli = std::env::var_os("IMAGE_SCORER_CLI")
            .expect("IMAGE_SCORER_CLI: the command line binary");
        // SAFETY: geteuid has no preconditions.
        let mut cmd = if unsafe { libc::geteuid() } == 0 {
            // The home itself passable, the app's own folders writable; the photo folders
            // keep the permissions the test gives them.
            let home = self.dir.as_path();
            let mut chmod = std::process::Command::new("chmod");
            chmod.arg("a+rx").arg(home);
            let own = ["config", "data", "cache"].map(|d| home.join(d));
            for d in &own {
                std::fs::create_dir_all(d).unwrap();
            }
            let opened = chmod.status().unwrap().success()
                && std::process::Command::new("chmod")
                    .args(["-R", "a+rwX"])
                    .args(&own)
                    .status()
                    .unwrap()
                    .success();
            assert!(opened, "chmod of the test's home");
            let mut c = std::process::Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                .arg(&cli);
            c
        } else {
            std::process::Command::new(&cli)
        };
        self.cli_output(cmd.args(args), args)
    }
}

/// What the library must make of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Shown, `width` x `height` as displayed.
    Shown(u32, u32),
    /// Left out, with a reason containing this.
    Refused(&'static str),
}

/// One file of the corpus: its path below the folder (bytes, for names that are not UTF-8).
#[derive(Debug, Clone)]
pub struct Case {
    pub name: Vec<u8>,
    pub expect: Expect,
}

fn encode(image: &image::DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

fn photo(width: u32, height: u32) -> image::DynamicImage {
    image::DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7) as u8, (y * 5) as u8, ((x + y) * 3) as u8])
    }))
}

/// A PNG that declares `width` x `height` pixels of grey, its rows all zeros (a bomb: the
/// file is small, the pixels are not), written as rows so the writer never holds them all.
fn grey_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        let mut writer = encoder.write_header().unwrap();
        let mut stream = writer.stream_writer().unwrap();
        let row = vec![0u8; width as usize];
        for _ in 0..height {
            std::io::Write::write_all(&mut stream, &row).unwrap();
        }
        stream.finish().unwrap();
    }
    out
}

/// A PNG whose header says `width` x `height` over a one-byte image: an absurd header.
fn lying_png(width: u32, height: u32) -> Vec<u8> {
    let mut small = grey_png(1, 1);
    // IHDR's width and height sit at bytes 16..24; its CRC (29..33) is made again.
    small[16..20].copy_from_slice(&width.to_be_bytes());
    small[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&small[12..29]);
    small[29..33].copy_from_slice(&crc.to_be_bytes());
    small
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn animated_gif() -> Vec<u8> {
    use image::codecs::gif::{GifEncoder, Repeat};
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut out);
        encoder.set_repeat(Repeat::Infinite).unwrap();
        for shade in [20u8, 200] {
            let frame = image::RgbaImage::from_pixel(12, 8, image::Rgba([shade, 0, 0, 255]));
            encoder.encode_frame(image::Frame::new(frame)).unwrap();
        }
    }
    out
}

/// A GIF with its screen and no image in it: zero frames.
fn frameless_gif() -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&[12, 0, 8, 0, 0, 0, 0]); // 12 x 8, no colour table
    out.push(0x3B); // trailer
    out
}

/// `image` as written by an outside encoder: `tool` run with `args` on it as a PNG (`{in}` and
/// `{out}` stand for the files). The tools are Debian packages `cargo xtask setup` installs for
/// the tests; a missing one fails the test.
fn outside_encode(image: &image::DynamicImage, tool: &str, args: &[&str], ext: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.png");
    let output = dir.path().join(format!("out.{ext}"));
    image.save(&input).unwrap();
    let args: Vec<std::ffi::OsString> = args
        .iter()
        .map(|a| match *a {
            "{in}" => input.clone().into_os_string(),
            "{out}" => output.clone().into_os_string(),
            a => a.into(),
        })
        .collect();
    let out = std::process::Command::new(tool)
        .args(&args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} cannot be run ({e}); `cargo xtask setup` installs it"));
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(output).unwrap()
}

/// An animated WebP of two frames (img2webp, Debian `webp`).
fn animated_webp(width: u32, height: u32) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, out) = (
        dir.path().join("a.png"),
        dir.path().join("b.png"),
        dir.path().join("o.webp"),
    );
    photo(width, height).save(&a).unwrap();
    image::DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, image::Rgb([9, 9, 200])))
        .save(&b)
        .unwrap();
    let status = std::process::Command::new("img2webp")
        .args(["-loop", "0", "-lossless"])
        .arg(&a)
        .args(["-d", "100"])
        .arg(&b)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("img2webp cannot be run; `cargo xtask setup` installs it (Debian webp)")
        .status;
    assert!(status.success(), "img2webp failed");
    std::fs::read(out).unwrap()
}

/// Writes the corpus into `dir` and returns its cases.
pub fn write_corpus(dir: &Path) -> Vec<Case> {
    std::fs::create_dir_all(dir).unwrap();
    let mut cases = Vec::new();
    let mut put = |name: &[u8], bytes: &[u8], expect: Expect| {
        let path = dir.join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(path, bytes).unwrap();
        cases.push(Case {
            name: name.to_vec(),
            expect,
        });
    };
    let rgb = photo(40, 30);
    let formats = [
        ("png", encode(&rgb, ImageFormat::Png)),
        ("jpg", encode(&rgb, ImageFormat::Jpeg)),
        ("gif", encode(&rgb, ImageFormat::Gif)),
        ("webp", encode(&rgb, ImageFormat::WebP)),
        ("bmp", encode(&rgb, ImageFormat::Bmp)),
        ("tiff", encode(&rgb, ImageFormat::Tiff)),
        (
            "avif",
            outside_encode(&rgb, "avifenc", &["{in}", "{out}"], "avif"),
        ),
        (
            "jxl",
            outside_encode(&rgb, "cjxl", &["{in}", "{out}", "-d", "1"], "jxl"),
        ),
    ];
    for (ext, bytes) in formats {
        put(
            format!("ok.{ext}").as_bytes(),
            &bytes,
            Expect::Shown(40, 30),
        );
        // Cut off half way, and cut off just before the end.
        put(
            format!("truncated-half.{ext}").as_bytes(),
            &bytes[..bytes.len() / 2],
            Expect::Refused(""),
        );
        // The header kept, the rest noise.
        let mut noise = bytes[..bytes.len().min(32)].to_vec();
        noise.extend((0..bytes.len()).map(|i| (i * 131 % 251) as u8));
        put(
            format!("corrupt.{ext}").as_bytes(),
            &noise,
            Expect::Refused(""),
        );
        // Named as another format.
        put(
            format!("{ext}-named.jpeg").as_bytes(),
            &bytes,
            Expect::Shown(40, 30),
        );
    }
    put(
        b"sixteen-bit.png",
        &encode(
            &image::DynamicImage::ImageRgb16(image::ImageBuffer::from_pixel(
                20,
                10,
                image::Rgb([65535u16, 0, 300]),
            )),
            ImageFormat::Png,
        ),
        Expect::Shown(20, 10),
    );
    put(
        b"grey-alpha.png",
        &encode(
            &image::DynamicImage::ImageLumaA8(image::ImageBuffer::from_pixel(
                9,
                7,
                image::LumaA([90u8, 128]),
            )),
            ImageFormat::Png,
        ),
        Expect::Shown(9, 7),
    );
    put(b"animated.gif", &animated_gif(), Expect::Shown(12, 8));
    put(
        b"animated.webp",
        &animated_webp(14, 9),
        Expect::Shown(14, 9),
    );
    // A CMYK JPEG (Pillow, Debian python3-pil; as print workflows write them).
    put(
        b"cmyk.jpg",
        &outside_encode(
            &photo(30, 20),
            "/usr/bin/python3",
            &[
                "-c",
                "import sys; from PIL import Image; Image.open(sys.argv[1]).convert('CMYK').save(sys.argv[2])",
                "{in}",
                "{out}",
            ],
            "jpg",
        ),
        Expect::Shown(30, 20),
    );
    // A HEIF file of HEVC pictures: recognised and refused with its reason.
    put(
        b"phone.heic",
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\x08free",
        Expect::Refused("HEIC"),
    );
    put(b"frameless.gif", &frameless_gif(), Expect::Refused(""));
    put(b"empty.png", b"", Expect::Refused(""));
    put(
        b"text.png",
        b"just some words, not a picture",
        Expect::Refused("not an image"),
    );
    put(b"zero.png", &lying_png(0, 0), Expect::Refused("dimensions"));
    put(
        b"absurd-header.png",
        &lying_png(100_000, 100_000),
        Expect::Refused("megapixels"),
    );
    put(
        b"bomb-refused.png",
        &grey_png(16_000, 16_000),
        Expect::Refused("megapixels"),
    );
    put(
        b"bomb-allowed.png",
        &grey_png(12_000, 12_000),
        Expect::Shown(12_000, 12_000),
    );
    // The eight EXIF orientations of a 60 x 20 JPEG.
    let stored = encode(&photo(60, 20), ImageFormat::Jpeg);
    for orientation in 1..=8u16 {
        let want = if orientation >= 5 {
            Expect::Shown(20, 60)
        } else {
            Expect::Shown(60, 20)
        };
        put(
            format!("exif-{orientation}.jpg").as_bytes(),
            &with_exif_orientation(&stored, orientation),
            want,
        );
    }
    // Names.
    let small = encode(&photo(8, 6), ImageFormat::Png);
    put(b"-leading-dash.png", &small, Expect::Shown(8, 6));
    put(
        b"new\nline.png",
        &encode(&photo(8, 7), ImageFormat::Png),
        Expect::Shown(8, 7),
    );
    let long = format!("{}.png", "l".repeat(200));
    put(
        long.as_bytes(),
        &encode(&photo(8, 8), ImageFormat::Png),
        Expect::Shown(8, 8),
    );
    put(
        b"not-utf8-\xff\xfe.png",
        &encode(&photo(8, 9), ImageFormat::Png),
        Expect::Refused("UTF-8"),
    );
    // Links: a loop back to the folder, and one to nothing.
    std::os::unix::fs::symlink(".", dir.join("loop")).unwrap();
    cases.push(Case {
        name: b"loop".to_vec(),
        expect: Expect::Refused("loops back"),
    });
    std::os::unix::fs::symlink("nowhere.png", dir.join("dangling.png")).unwrap();
    cases.push(Case {
        name: b"dangling.png".to_vec(),
        expect: Expect::Refused("does not exist"),
    });
    cases
}

/// The path of a case below `dir`.
pub fn path_of(dir: &Path, case: &Case) -> PathBuf {
    dir.join(std::ffi::OsStr::from_bytes(&case.name))
}

/// Inserts an APP1 EXIF segment with the given orientation after the JPEG's SOI marker.
pub fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}
