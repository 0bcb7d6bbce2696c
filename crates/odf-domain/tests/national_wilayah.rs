//! Loads the real national list of places from `../shared/data/wilayah.csv` when it is there.

use std::path::PathBuf;

use odf_domain::{AreaCode, Wilayah};

fn shared_wilayah() -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/wilayah.csv");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(err) => {
            eprintln!(
                "SKIPPED: {} not readable ({err}); the national places test needs ../shared/data",
                path.display()
            );
            None
        }
    }
}

#[test]
fn the_national_list_has_every_level_and_sulawesi_tenggara_has_2285_villages() {
    let Some(text) = shared_wilayah() else { return };
    let load = Wilayah::from_csv(&text);
    assert!(load.errors.is_empty(), "first problems: {:?}", &load.errors[..load.errors.len().min(5)]);
    let counts = load.wilayah.level_counts();
    assert_eq!(counts.provinsi, 38);
    assert_eq!(counts.kabupaten, 514);
    assert_eq!(counts.kecamatan, 7_285);
    assert_eq!(counts.desa, 83_762);
    assert_eq!(load.wilayah.len(), 91_599);

    let sultra = AreaCode::parse("74").unwrap();
    assert_eq!(load.wilayah.name(sultra), Some("Sulawesi Tenggara"));
    assert_eq!(load.wilayah.villages_under(sultra).count(), 2_285);
    assert_eq!(load.wilayah.children(sultra).count(), 17);
    let buton = AreaCode::parse("74.04").unwrap();
    assert_eq!(load.wilayah.name(buton), Some("Kabupaten Buton"));
    let kota: Vec<_> = load.wilayah.children(sultra).filter(|p| p.code.is_kota() == Some(true)).collect();
    assert_eq!(kota.len(), 2);
}
