//! AVIF decoding for `image`: avif-parse reads the HEIF container, rav1d (the Rust port of dav1d)
//! decodes the AV1 pictures, and yuv turns them into RGBA.
//!
//! The result is always 8 bits per channel (RGB, or RGBA when the file has an alpha item): the
//! app decodes images for thumbnails, hashes and model inputs, never to edit them; the webview
//! shows an AVIF original itself.

use image::{ColorType, ImageDecoder, ImageError, ImageResult};
use rav1d::include::dav1d::data::Dav1dData;
use rav1d::include::dav1d::dav1d::{Dav1dContext, Dav1dLogger, Dav1dSettings};
use rav1d::include::dav1d::headers::{
    Dav1dMatrixCoefficients, DAV1D_MC_BT2020_CL, DAV1D_MC_BT2020_NCL, DAV1D_MC_BT470BG,
    DAV1D_MC_BT601, DAV1D_MC_BT709, DAV1D_MC_FCC, DAV1D_MC_IDENTITY, DAV1D_MC_SMPTE240,
    DAV1D_MC_UNKNOWN, DAV1D_PIXEL_LAYOUT_I400, DAV1D_PIXEL_LAYOUT_I420, DAV1D_PIXEL_LAYOUT_I422,
    DAV1D_PIXEL_LAYOUT_I444,
};
use rav1d::include::dav1d::picture::Dav1dPicture;
use rav1d::src::lib::{
    dav1d_close, dav1d_data_create, dav1d_data_unref, dav1d_default_settings, dav1d_get_picture,
    dav1d_open, dav1d_picture_unref, dav1d_send_data,
};
use std::io::Read;
use std::mem::MaybeUninit;
use std::ptr::NonNull;
use yuv::{YuvGrayImage, YuvPlanarImage, YuvRange, YuvStandardMatrix};

/// An AVIF file read into memory, its pictures not yet decoded.
pub struct AvifDecoder {
    data: avif_parse::AvifData,
    width: u32,
    height: u32,
}

impl AvifDecoder {
    /// Reads the container and the primary picture's AV1 sequence header (its size); decodes
    /// nothing yet.
    pub fn new(mut reader: impl Read) -> ImageResult<Self> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        // avif-parse wants "avif" as the major brand; some writers put it among the compatible
        // brands only (the sniffing found it there), after a major brand of "mif1".
        if bytes.get(8..12).is_some_and(|b| b == b"mif1") {
            bytes[8..12].copy_from_slice(b"avif");
        }
        let data = avif_parse::read_avif(&mut bytes.as_slice()).map_err(|e| match e {
            // Animations, grids, external references: files of a kind this decoder does not
            // read. Its other "unsupported" errors are damaged files (e.g. an unknown box size).
            avif_parse::Error::Unsupported(what) if what.contains("not supported") => {
                super::decoding::unsupported("AVIF", what)
            }
            e => decoding(e),
        })?;
        let meta = data.primary_item_metadata().map_err(decoding)?;
        Ok(AvifDecoder {
            width: meta.max_frame_width.get(),
            height: meta.max_frame_height.get(),
            data,
        })
    }

    fn has_alpha(&self) -> bool {
        self.data.alpha_item.is_some()
    }

    /// The picture as RGBA, 8 bits per channel.
    fn decode_rgba(&self) -> Result<Vec<u8>, String> {
        let mut decoder = Decoder::open()?;
        let color = decoder.decode(&self.data.primary_item)?;
        let (w, h) = color.size();
        if (w, h) != (self.width, self.height) {
            return Err(format!(
                "its picture is {w} × {h} pixels, its header says {} × {}",
                self.width, self.height
            ));
        }
        let mut rgba = vec![0u8; w as usize * h as usize * 4];
        color.to_rgba(&mut rgba)?;
        drop(color);
        if let Some(alpha) = &self.data.alpha_item {
            let alpha = decoder.decode(alpha)?;
            if alpha.size() != (w, h) {
                return Err("its alpha picture has another size than its colours".into());
            }
            alpha.write_alpha(&mut rgba)?;
            if self.data.premultiplied_alpha {
                unpremultiply(&mut rgba);
            }
        }
        Ok(rgba)
    }
}

impl ImageDecoder for AvifDecoder {
    fn dimensions(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn color_type(&self) -> ColorType {
        if self.has_alpha() {
            ColorType::Rgba8
        } else {
            ColorType::Rgb8
        }
    }

    fn read_image(self, buf: &mut [u8]) -> ImageResult<()> {
        let rgba = self.decode_rgba().map_err(decoding)?;
        if self.has_alpha() {
            buf.copy_from_slice(&rgba);
        } else {
            for (rgb, rgba) in buf.chunks_exact_mut(3).zip(rgba.chunks_exact(4)) {
                rgb.copy_from_slice(&rgba[..3]);
            }
        }
        Ok(())
    }

    fn read_image_boxed(self: Box<Self>, buf: &mut [u8]) -> ImageResult<()> {
        (*self).read_image(buf)
    }
}

fn decoding(e: impl std::fmt::Display) -> ImageError {
    super::decoding::damaged("AVIF", e)
}

/// A rav1d decoder for one file's pictures.
struct Decoder(Option<Dav1dContext>);

impl Decoder {
    fn open() -> Result<Self, String> {
        let mut settings = MaybeUninit::<Dav1dSettings>::uninit();
        // SAFETY: dav1d_default_settings writes a whole Dav1dSettings to the pointer.
        let settings = unsafe {
            dav1d_default_settings(NonNull::from(&mut settings).cast());
            settings.assume_init_mut()
        };
        // Still pictures: no frames to pipeline, film grain applied as other decoders do, a
        // picture over the library's pixel limit refused before it is allocated, no logging.
        settings.n_threads = 0;
        settings.max_frame_delay = 1;
        settings.apply_grain = 1;
        settings.frame_size_limit = super::decoding::MAX_PIXELS as u32;
        // SAFETY: no callback, so nothing is ever called.
        settings.logger = unsafe { Dav1dLogger::new(None, None) };
        let mut ctx = None;
        // SAFETY: both pointers are valid for the call; the context is closed on drop.
        let res =
            unsafe { dav1d_open(Some(NonNull::from(&mut ctx)), Some(NonNull::from(settings))) };
        if res.0 != 0 || ctx.is_none() {
            return Err(format!("the AV1 decoder could not start (error {})", res.0));
        }
        Ok(Decoder(ctx))
    }

    /// Decodes one AV1 item (one temporal unit); the last picture it yields is the whole image
    /// (a layered item refines its picture layer by layer).
    fn decode(&mut self, av1: &[u8]) -> Result<Picture, String> {
        let ctx = self.0.ok_or("the AV1 decoder is closed")?;
        let failed = |what: &str, code: i32| format!("its AV1 data {what} (error {code})");
        let mut last: Option<Picture> = None;
        // SAFETY: `data` is created with exactly `av1.len()` bytes which are then filled;
        // pictures are unreferenced by `Picture`'s drop; `ctx` is open.
        unsafe {
            let mut data = Dav1dData::default();
            let buf = dav1d_data_create(Some(NonNull::from(&mut data)), av1.len());
            if buf.is_null() {
                return Err("there is not enough memory to decode it".into());
            }
            std::ptr::copy_nonoverlapping(av1.as_ptr(), buf, av1.len());
            loop {
                let sent = dav1d_send_data(Some(ctx), Some(NonNull::from(&mut data)));
                if sent.0 == 0 {
                    break;
                }
                // The decoder holds a picture it wants taken before it reads more.
                let mut pending = Picture(Dav1dPicture::default());
                let got = dav1d_get_picture(Some(ctx), Some(NonNull::from(&mut pending.0)));
                if got.0 != 0 {
                    dav1d_data_unref(Some(NonNull::from(&mut data)));
                    return Err(failed("is damaged", sent.0));
                }
                last = Some(pending);
            }
            dav1d_data_unref(Some(NonNull::from(&mut data)));
            loop {
                let mut picture = Picture(Dav1dPicture::default());
                let got = dav1d_get_picture(Some(ctx), Some(NonNull::from(&mut picture.0)));
                if got.0 != 0 {
                    return last.ok_or_else(|| failed("holds no picture", got.0));
                }
                last = Some(picture);
            }
        }
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        // SAFETY: the context came from dav1d_open and is closed once.
        unsafe { dav1d_close(Some(NonNull::from(&mut self.0))) };
    }
}

/// A decoded picture, its planes owned by the decoder until it is dropped.
struct Picture(Dav1dPicture);

impl Drop for Picture {
    fn drop(&mut self) {
        // SAFETY: a default picture or one filled by dav1d_get_picture; unref takes both.
        unsafe { dav1d_picture_unref(Some(NonNull::from(&mut self.0))) };
    }
}

impl Picture {
    fn size(&self) -> (u32, u32) {
        (self.0.p.w.max(0) as u32, self.0.p.h.max(0) as u32)
    }

    /// Plane `n` (0 = Y, 1 = U, 2 = V) as samples of type `T`, and its stride in samples.
    fn plane<T: Copy>(&self, n: usize) -> Result<(&[T], usize), String> {
        let bytes = std::mem::size_of::<T>();
        if (self.0.p.bpc > 8) != (bytes == 2) {
            return Err("its picture has an unexpected sample size".into());
        }
        let ptr = self.0.data[n].ok_or("its picture lacks a plane")?;
        let (sub_x, sub_y) = match (n, self.0.p.layout) {
            (0, _) => (0, 0),
            (_, DAV1D_PIXEL_LAYOUT_I420) => (1, 1),
            (_, DAV1D_PIXEL_LAYOUT_I422) => (1, 0),
            (_, DAV1D_PIXEL_LAYOUT_I444) => (0, 0),
            _ => return Err("its picture has no colour planes".into()),
        };
        let (w, h) = self.size();
        let (w, h) = (
            ((w + sub_x) >> sub_x) as usize,
            ((h + sub_y) >> sub_y) as usize,
        );
        let stride_bytes = self.0.stride[usize::from(n != 0)];
        let stride = usize::try_from(stride_bytes).unwrap_or(0) / bytes;
        if stride < w
            || !(stride_bytes as usize).is_multiple_of(bytes)
            || !(ptr.as_ptr() as usize).is_multiple_of(bytes)
        {
            return Err("its picture has an unexpected layout".into());
        }
        // SAFETY: rav1d allocates whole rows, `stride * h` samples per plane, aligned (checked),
        // alive while `self` is.
        let samples = unsafe { std::slice::from_raw_parts(ptr.as_ptr().cast::<T>(), stride * h) };
        Ok((samples, stride))
    }

    fn matrix(&self) -> Dav1dMatrixCoefficients {
        // SAFETY: the sequence header lives as long as the picture.
        self.0
            .seq_hdr
            .map_or(DAV1D_MC_UNKNOWN, |h| unsafe { h.as_ref() }.mtrx)
    }

    fn range(&self) -> YuvRange {
        // SAFETY: as in `matrix`.
        let full = self
            .0
            .seq_hdr
            .is_some_and(|h| unsafe { h.as_ref() }.color_range != 0);
        if full {
            YuvRange::Full
        } else {
            YuvRange::Limited
        }
    }

    /// Writes the picture's colours into `rgba` (alpha opaque).
    fn to_rgba(&self, rgba: &mut [u8]) -> Result<(), String> {
        let (w, _) = self.size();
        let stride = w * 4;
        let range = self.range();
        let layout = self.0.p.layout;
        let depth = self.0.p.bpc;
        let mtrx = self.matrix();
        if layout == DAV1D_PIXEL_LAYOUT_I400 {
            return self.grey_to_rgba(rgba);
        }
        if mtrx == DAV1D_MC_IDENTITY {
            return self.gbr_to_rgba(rgba);
        }
        let matrix = match mtrx {
            DAV1D_MC_BT709 => YuvStandardMatrix::Bt709,
            DAV1D_MC_BT2020_NCL | DAV1D_MC_BT2020_CL => YuvStandardMatrix::Bt2020,
            DAV1D_MC_SMPTE240 => YuvStandardMatrix::Smpte240,
            DAV1D_MC_FCC => YuvStandardMatrix::Fcc,
            // Unspecified is read as BT.601, as libavif does.
            DAV1D_MC_BT470BG | DAV1D_MC_BT601 | DAV1D_MC_UNKNOWN => YuvStandardMatrix::Bt601,
            other => {
                return Err(format!(
                    "its colours use matrix {other}, which this build cannot convert"
                ))
            }
        };
        let converted = if depth == 8 {
            let planar = self.planar::<u8>()?;
            match layout {
                DAV1D_PIXEL_LAYOUT_I420 => {
                    yuv::yuv420_to_rgba(&planar, rgba, stride, range, matrix)
                }
                DAV1D_PIXEL_LAYOUT_I422 => {
                    yuv::yuv422_to_rgba(&planar, rgba, stride, range, matrix)
                }
                _ => yuv::yuv444_to_rgba(&planar, rgba, stride, range, matrix),
            }
        } else {
            let planar = self.planar::<u16>()?;
            let convert = match (depth, layout) {
                (10, DAV1D_PIXEL_LAYOUT_I420) => yuv::i010_to_rgba,
                (10, DAV1D_PIXEL_LAYOUT_I422) => yuv::i210_to_rgba,
                (10, _) => yuv::i410_to_rgba,
                (12, DAV1D_PIXEL_LAYOUT_I420) => yuv::i012_to_rgba,
                (12, DAV1D_PIXEL_LAYOUT_I422) => yuv::i212_to_rgba,
                (12, _) => yuv::i412_to_rgba,
                _ => {
                    return Err(format!(
                        "it has {depth} bits per sample, which this build cannot read"
                    ))
                }
            };
            convert(&planar, rgba, stride, range, matrix)
        };
        converted.map_err(|e| format!("its colours cannot be converted: {e}"))
    }

    fn planar<T: Copy + std::fmt::Debug>(&self) -> Result<YuvPlanarImage<'_, T>, String> {
        let (w, h) = self.size();
        let (y_plane, y_stride) = self.plane::<T>(0)?;
        let (u_plane, u_stride) = self.plane::<T>(1)?;
        let (v_plane, v_stride) = self.plane::<T>(2)?;
        Ok(YuvPlanarImage {
            y_plane,
            y_stride: y_stride as u32,
            u_plane,
            u_stride: u_stride as u32,
            v_plane,
            v_stride: v_stride as u32,
            width: w,
            height: h,
        })
    }

    /// A monochrome picture, each grey repeated in R, G and B.
    fn grey_to_rgba(&self, rgba: &mut [u8]) -> Result<(), String> {
        if self.0.p.bpc == 8 {
            let (w, h) = self.size();
            let (y_plane, stride) = self.plane::<u8>(0)?;
            let grey = YuvGrayImage {
                y_plane,
                y_stride: stride as u32,
                width: w,
                height: h,
            };
            return yuv::yuv400_to_rgba(&grey, rgba, w * 4, self.range(), YuvStandardMatrix::Bt601)
                .map_err(|e| format!("its greys cannot be converted: {e}"));
        }
        let luma = self.luma8()?;
        for (px, y) in rgba.chunks_exact_mut(4).zip(luma) {
            px.copy_from_slice(&[y, y, y, 255]);
        }
        Ok(())
    }

    /// An identity-matrix picture (lossless RGB): G in Y, B in U, R in V.
    fn gbr_to_rgba(&self, rgba: &mut [u8]) -> Result<(), String> {
        if self.0.p.layout != DAV1D_PIXEL_LAYOUT_I444 {
            return Err("its RGB picture is subsampled, which AV1 does not allow".into());
        }
        let (w, h) = self.size();
        let shift = self.0.p.bpc.max(8) as u32 - 8;
        let sample = |n: usize| -> Result<Vec<u8>, String> {
            if shift == 0 {
                let (plane, stride) = self.plane::<u8>(n)?;
                Ok(rows(plane, stride, w, h).flatten().copied().collect())
            } else {
                let (plane, stride) = self.plane::<u16>(n)?;
                Ok(rows(plane, stride, w, h)
                    .flatten()
                    .map(|&v| (v >> shift).min(255) as u8)
                    .collect())
            }
        };
        let (g, b, r) = (sample(0)?, sample(1)?, sample(2)?);
        for (i, px) in rgba.chunks_exact_mut(4).enumerate() {
            px.copy_from_slice(&[r[i], g[i], b[i], 255]);
        }
        Ok(())
    }

    /// The Y plane as full-range 8-bit values, row after row.
    fn luma8(&self) -> Result<Vec<u8>, String> {
        let (w, h) = self.size();
        let bits = self.0.p.bpc.max(8) as u32;
        let limited = matches!(self.range(), YuvRange::Limited);
        let max = f32::from(u16::MAX >> (16 - bits));
        let (lo, span) = if limited {
            (16.0 * (max + 1.0) / 256.0, 219.0 * (max + 1.0) / 256.0)
        } else {
            (0.0, max)
        };
        let expand = |v: f32| (((v - lo) / span) * 255.0).round().clamp(0.0, 255.0) as u8;
        let values = if bits == 8 {
            let (plane, stride) = self.plane::<u8>(0)?;
            rows(plane, stride, w, h)
                .flatten()
                .map(|&v| expand(f32::from(v)))
                .collect()
        } else {
            let (plane, stride) = self.plane::<u16>(0)?;
            rows(plane, stride, w, h)
                .flatten()
                .map(|&v| expand(f32::from(v)))
                .collect()
        };
        Ok(values)
    }

    /// Writes this (alpha) picture's Y plane into the A of `rgba`.
    fn write_alpha(&self, rgba: &mut [u8]) -> Result<(), String> {
        let alpha = self.luma8()?;
        for (px, a) in rgba.chunks_exact_mut(4).zip(alpha) {
            px[3] = a;
        }
        Ok(())
    }
}

/// The first `w` samples of each of the `h` rows of a plane.
fn rows<T>(plane: &[T], stride: usize, w: u32, h: u32) -> impl Iterator<Item = &[T]> {
    plane
        .chunks(stride)
        .take(h as usize)
        .map(move |row| &row[..w as usize])
}

/// Undoes premultiplied alpha.
fn unpremultiply(rgba: &mut [u8]) {
    for px in rgba.chunks_exact_mut(4) {
        let a = u16::from(px[3]);
        if a != 0 && a != 255 {
            for c in &mut px[..3] {
                *c = (u16::from(*c) * 255 / a).min(255) as u8;
            }
        }
    }
}
