//! The roll-up's integration tests, one test binary (each module was a binary of its own): the
//! roll-up against brute force on random campaigns, on small hand-made trees, on Sulawesi Tenggara's
//! real list and on the national list of places.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod campaign_prop;
mod national_wilayah;
mod small_wilayah;
mod sulawesi_tenggara;
