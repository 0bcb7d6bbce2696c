//! Where `odf-server`'s log lines go and how they look: stderr, human-readable text with colour
//! only when stderr is a terminal (a file or a pipe gets no ANSI codes), or one JSON object per line
//! for log collectors (`--log-format json`, `ODF_LOG_FORMAT=json`). `ODF_LOG` filters as before.

use std::io::IsTerminal;

use clap::ValueEnum;
use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum LogFormat {
    /// Text; coloured only on a terminal.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// What is logged unless `ODF_LOG` says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Requests and events, for a server's operators.
    Normal,
    /// Warnings only: the demo's report is for a person reading the terminal, and the hundreds of
    /// request lines of its campaign would bury it.
    #[cfg_attr(not(feature = "demo"), allow(dead_code))]
    Quiet,
}

fn filter(verbosity: Verbosity) -> EnvFilter {
    let default = match verbosity {
        Verbosity::Normal => "info,sqlx=warn",
        Verbosity::Quiet => "warn",
    };
    EnvFilter::try_from_env("ODF_LOG").unwrap_or_else(|_| default.into())
}

/// The subscriber for `format`, writing to `writer`; `terminal` says whether that is a terminal.
fn subscriber<W>(
    format: LogFormat,
    verbosity: Verbosity,
    terminal: bool,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt().with_env_filter(filter(verbosity)).with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.with_ansi(terminal).finish()),
        LogFormat::Json => Box::new(builder.json().with_ansi(false).finish()),
    }
}

/// Installs the global subscriber, on stderr.
pub fn init(format: LogFormat, verbosity: Verbosity) {
    let terminal = std::io::stderr().is_terminal();
    if tracing::subscriber::set_global_default(subscriber(format, verbosity, terminal, std::io::stderr))
        .is_err()
    {
        eprintln!("log sudah dipasang (logging already set up)");
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn logged(format: LogFormat, terminal: bool) -> String {
        let buffer = Buffer::default();
        let sink = buffer.clone();
        let subscriber = subscriber(format, Verbosity::Normal, terminal, move || sink.clone());
        tracing::subscriber::with_default(subscriber, || tracing::warn!(records = 3, "recount differs"));
        String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn text_logs_are_coloured_only_on_a_terminal() {
        let plain = logged(LogFormat::Text, false);
        assert!(plain.contains("recount differs"), "{plain}");
        assert!(!plain.contains('\u{1b}'), "no ANSI codes into a file or a pipe: {plain:?}");
        assert!(logged(LogFormat::Text, true).contains('\u{1b}'), "colour on a terminal");
    }

    #[test]
    fn json_logs_are_one_object_per_line_without_colour() {
        let text = logged(LogFormat::Json, true);
        let line = text.lines().next().expect("one line");
        let value: serde_json::Value = serde_json::from_str(line).expect("JSON");
        assert_eq!(value["level"], "WARN");
        assert_eq!(value["fields"]["message"], "recount differs");
        assert_eq!(value["fields"]["records"], 3);
        assert!(!text.contains('\u{1b}'));
    }
}
