//! The window's size, and screenshots of it: for tests of the layout at given sizes.

use crate::App;

impl App {
    /// The page's own width and height (the webview's viewport).
    pub async fn viewport(&self) -> (u64, u64) {
        let v = self
            .client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .unwrap();
        (v[0].as_u64().unwrap(), v[1].as_u64().unwrap())
    }

    /// Resizes the window until the page inside it is `width` x `height`.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
        for _ in 0..40 {
            let (w, h) = self.viewport().await;
            if (w, h) == (u64::from(width), u64::from(height)) {
                return;
            }
            // The window's frame, if any, takes its share: grow it by what is missing.
            let (dw, dh) = (
                u64::from(width) - w.min(u64::from(width)),
                u64::from(height) - h.min(u64::from(height)),
            );
            self.client
                .set_window_size(width + dw as u32, height + dh as u32)
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "the page is {:?}, not {width}x{height}",
            self.viewport().await
        );
    }

    /// Saves a screenshot as `<size>-<page>.png` under `IMAGE_SCORER_SHOTS`, when it is set.
    pub async fn shot(&self, size: &str, page: &str) {
        if let Some(dir) = std::env::var_os("IMAGE_SCORER_SHOTS") {
            let png = self.client.screenshot().await.unwrap();
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                std::path::Path::new(&dir).join(format!("{size}-{page}.png")),
                png,
            )
            .unwrap();
        }
    }
}
