// Prevents an additional console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    prefer_webkits_plain_renderer();
    image_scorer_lib::run();
}

/// WebKitGTK's DMA-BUF renderer, unless the user chose: off. Where there is no GPU to share
/// buffers with (a virtual machine, a remote or virtual display) it holds the window's first
/// frame back until its own start is over, so the Score page's first image waits for it; on
/// some drivers (NVIDIA's, some Wayland compositors) the window stays blank. The renderer
/// without it still composites on the GPU. Set before any thread starts, as `set_var` needs.
#[cfg(target_os = "linux")]
fn prefer_webkits_plain_renderer() {
    const RENDERER: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
    if std::env::var_os(RENDERER).is_none() {
        std::env::set_var(RENDERER, "1");
    }
}
