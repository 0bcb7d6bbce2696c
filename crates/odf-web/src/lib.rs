//! The web dashboard's rendering (issue 15): pages as askama templates over view models, the id/en
//! label catalogue, number and date text, the embedded CSS and JS, and the SVG map and trend
//! (`svg`). Pure: no HTTP, no store. `odf-server`'s `web` module fetches the figures and serves the
//! pages; the phone UI can reuse the same pieces.

pub mod admin;
pub mod assets;
pub mod desk;
pub mod desk_verify;
pub mod desk_words;
pub mod format;
pub mod labels;
pub mod pages;
pub mod phone;
pub mod public_check;
pub mod svg;
pub mod view;

pub use askama::Error as RenderError;
pub use labels::{Labels, Lang};
