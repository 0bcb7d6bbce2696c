//! Times building the national places tree: `cargo run --release -p odf-domain --example load_wilayah
//! [PATH]` (default `../shared/data/wilayah.csv`).

use std::time::Instant;

use odf_domain::Wilayah;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "../shared/data/wilayah.csv".to_owned());
    let text = std::fs::read_to_string(&path)?;
    let mut best = f64::MAX;
    let mut size = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let load = Wilayah::from_csv(&text);
        best = best.min(started.elapsed().as_secs_f64());
        size = load.wilayah.len();
    }
    println!("built the places tree of {size} codes from {path} in {:.1} ms (best of 5)", best * 1000.0);
    Ok(())
}
