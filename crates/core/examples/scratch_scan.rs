use image_scorer_core::app::indexer::scan_root;
use image_scorer_core::Store;
use std::path::Path;
use std::time::Instant;
fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("x.db")).await.unwrap();
        let root = store.add_root(&image_scorer_core::folder::check_folder(Path::new("/tmp/m/sub")).unwrap()).await.unwrap();
        let t = Instant::now();
        let report = scan_root(&store, root.id, Path::new(&root.path), |_| {}).await.unwrap();
        println!("{} files in {:.1} s", report.found, t.elapsed().as_secs_f64());
        store.close().await;
    });
}
