//! A TCP proxy on `127.0.0.1:0` between the phones and the server that cuts connections on a
//! deterministic plan: a counter of exchanges, or a generator seeded by the plan ([`CutPlan::seeded`]),
//! never timers: the same requests in the same order meet the same cuts.
//!
//! Each accepted connection carries exactly one HTTP/1.1 exchange. The proxy reads the whole request
//! (head and `Content-Length` body), adds `Connection: close` to it so the server closes after its
//! answer (and the client's connection pool cannot reuse the connection), opens its own connection
//! to the server, and then, as the plan says:
//!
//! - **passes** it: forwards the request, reads the server's whole answer up to its close, forwards
//!   it and closes;
//! - **cuts it mid-request** ([`Cut::MidRequest`]): forwards only part of the request (half of the
//!   head, or the head and half of the body) and closes both sides, so the server never sees a whole
//!   request and the client never gets an answer;
//! - **cuts it mid-response** ([`Cut::MidResponse`]): forwards the whole request, waits for the
//!   server's whole answer (so whatever the server commits is committed), forwards only its first
//!   half and closes: the server did the work, the client never learns the result.
//!
//! One exchange per connection makes "every third connection" mean "every third request", as on a
//! phone whose connections keep dropping. Exchanges are numbered when their request head has arrived
//! (a connection closed before that is not counted), so a client that sends one request at a time
//! always sees the same cuts. Only request lines (method and path with query) are logged, never
//! headers: the bearer token stays out of the log.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use odf_domain::verification::SplitMix64;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Where a connection is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Part of the request reached the server, then the connection dropped: nothing was processed.
    MidRequest,
    /// The server answered (and committed), then the connection dropped before the client had the
    /// whole answer.
    MidResponse,
}

/// Which exchanges to cut. The default cuts nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CutPlan {
    /// Cut the n-th, 2n-th, 3n-th ... counted exchange (0: never).
    every: usize,
    /// The kinds of successive cuts, in turn.
    modes: Vec<Cut>,
    /// Count only exchanges whose request line starts with this (e.g. `GET /v1/sync/pull`).
    only: Option<String>,
    /// Stop cutting after this many cuts.
    max_cuts: Option<usize>,
    /// Cut each counted exchange with this chance in percent, drawn from a generator with this seed,
    /// instead of every n-th; the kind of each cut is drawn too.
    seeded: Option<(u64, u64)>,
}

impl CutPlan {
    /// Cuts nothing.
    pub fn pass() -> CutPlan {
        CutPlan::default()
    }

    /// Cuts every `n`-th exchange; the cuts take the kinds of `modes` in turn.
    pub fn every(n: usize, modes: &[Cut]) -> CutPlan {
        CutPlan { every: n, modes: modes.to_vec(), only: None, max_cuts: None, seeded: None }
    }

    /// Cuts each exchange with a chance of `percent` in a hundred, and of a kind from `modes`, both
    /// drawn from a generator seeded with `seed`: random-looking faults that a seed repeats.
    pub fn seeded(seed: u64, percent: u64, modes: &[Cut]) -> CutPlan {
        CutPlan { seeded: Some((seed, percent)), ..CutPlan::every(0, modes) }
    }

    /// Counts only exchanges whose request line (`METHOD /path?query`) starts with `prefix`.
    pub fn only(mut self, prefix: &str) -> CutPlan {
        self.only = Some(prefix.to_owned());
        self
    }

    /// Cuts at most `cuts` times, then passes everything.
    pub fn at_most(mut self, cuts: usize) -> CutPlan {
        self.max_cuts = Some(cuts);
        self
    }
}

/// One exchange as the proxy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// 1-based, over the proxy's whole life.
    pub number: usize,
    /// `METHOD /path?query`, without the HTTP version and never with headers.
    pub request_line: String,
    pub cut: Option<Cut>,
}

#[derive(Debug)]
struct State {
    plan: CutPlan,
    /// Exchanges counted by the current plan.
    counted: usize,
    /// Cuts made under the current plan.
    cuts: usize,
    /// The generator of a seeded plan.
    draws: SplitMix64,
    log: Vec<Exchange>,
    /// I/O failures the plan did not ask for (each one would be an unplanned cut).
    errors: Vec<String>,
}

impl State {
    fn decide(&mut self, request_line: &str) -> Option<Cut> {
        let number = self.log.len() + 1;
        let plan = &self.plan;
        let mut cut = None;
        if plan.only.as_deref().is_none_or(|prefix| request_line.starts_with(prefix)) {
            self.counted += 1;
            let budget = plan.max_cuts.is_none_or(|max| self.cuts < max);
            if let Some((_, percent)) = plan.seeded {
                let (chance, kind) = (self.draws.below(100), self.draws.next_u64());
                if chance < percent && budget && !plan.modes.is_empty() {
                    let kind = usize::try_from(kind % plan.modes.len() as u64).unwrap_or_default();
                    cut = Some(plan.modes[kind]);
                    self.cuts += 1;
                }
            } else if plan.every > 0
                && self.counted.is_multiple_of(plan.every)
                && budget
                && !plan.modes.is_empty()
            {
                cut = Some(plan.modes[self.cuts % plan.modes.len()]);
                self.cuts += 1;
            }
        }
        self.log.push(Exchange { number, request_line: request_line.to_owned(), cut });
        cut
    }
}

/// The running proxy. Dropping it stops accepting connections.
#[derive(Debug)]
pub struct Proxy {
    url: String,
    state: Arc<Mutex<State>>,
    accept: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Largest request or response head the proxy reads.
const MAX_HEAD: usize = 64 * 1024;

impl Proxy {
    /// Starts a proxy to `server_url` (`http://127.0.0.1:PORT`) that passes everything until told
    /// otherwise with [`Proxy::set_plan`].
    pub async fn start(server_url: &str) -> io::Result<Proxy> {
        let authority = server_url.trim_end_matches('/').trim_start_matches("http://");
        let upstream: SocketAddr = authority
            .parse()
            .map_err(|err| io::Error::new(io::ErrorKind::InvalidInput, format!("{server_url}: {err}")))?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(State {
            plan: CutPlan::default(),
            counted: 0,
            cuts: 0,
            draws: SplitMix64::new(0),
            log: Vec::new(),
            errors: Vec::new(),
        }));
        let shared = state.clone();
        let accept = tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else { continue };
                let state = shared.clone();
                tokio::spawn(async move {
                    if let Err(err) = exchange(socket, upstream, &state).await {
                        lock(&state).errors.push(err.to_string());
                    }
                });
            }
        });
        Ok(Proxy { url, state, accept })
    }

    /// The address phones use instead of the server's.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Replaces the plan; its counters start again from zero (the log keeps going).
    pub fn set_plan(&self, plan: CutPlan) {
        let mut state = lock(&self.state);
        state.draws = SplitMix64::new(plan.seeded.map_or(0, |(seed, _)| seed));
        state.plan = plan;
        state.counted = 0;
        state.cuts = 0;
    }

    /// Every exchange so far, in order.
    pub fn log(&self) -> Vec<Exchange> {
        lock(&self.state).log.clone()
    }

    /// The exchanges that were cut, with their kind.
    pub fn cuts(&self) -> Vec<Exchange> {
        self.log().into_iter().filter(|e| e.cut.is_some()).collect()
    }

    /// I/O failures the plan did not ask for; empty when every connection went as planned.
    pub fn errors(&self) -> Vec<String> {
        lock(&self.state).errors.clone()
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// Where the head ends (after `\r\n\r\n`).
fn head_end(buffer: &[u8]) -> Option<usize> {
    buffer.windows(4).position(|w| w == b"\r\n\r\n").map(|pos| pos + 4)
}

/// Reads from `socket` into `buffer` until a whole head is there. `None` when the peer closed first.
async fn read_head(socket: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<Option<usize>> {
    let mut chunk = vec![0u8; 8192];
    loop {
        if let Some(end) = head_end(buffer) {
            return Ok(Some(end));
        }
        if buffer.len() > MAX_HEAD {
            return Err(invalid("request head too large".to_owned()));
        }
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// The request head with any `Connection`/`Keep-Alive` header replaced by `Connection: close`, and
/// the body length it announces.
fn rewrite_head(head: &str) -> io::Result<(String, usize)> {
    let mut lines = head.trim_end_matches("\r\n").split("\r\n");
    let mut out = String::with_capacity(head.len() + 20);
    out.push_str(lines.next().unwrap_or_default());
    out.push_str("\r\n");
    let mut length = 0;
    for line in lines {
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let name = name.trim();
        if name.eq_ignore_ascii_case("connection") || name.eq_ignore_ascii_case("keep-alive") {
            continue;
        }
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(invalid("chunked request bodies are not supported by the test proxy".to_owned()));
        }
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().map_err(|_| invalid(format!("bad content-length {value:?}")))?;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("connection: close\r\n\r\n");
    Ok((out, length))
}

/// One connection: one request, one answer, cut or not.
async fn exchange(mut client: TcpStream, upstream: SocketAddr, state: &Mutex<State>) -> io::Result<()> {
    let mut buffer = Vec::new();
    let Some(end) = read_head(&mut client, &mut buffer).await? else {
        return Ok(()); // closed before a whole request head: not an exchange
    };
    let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
    let (head, length) = rewrite_head(&head)?;
    let mut chunk = vec![0u8; 8192];
    while buffer.len() < end + length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(()); // the client gave up before sending its whole body
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let first_line = head.lines().next().unwrap_or_default();
    let request_line = first_line.rsplit_once(' ').map_or(first_line, |(line, _version)| line).to_owned();
    let cut = lock(state).decide(&request_line);

    let mut request = head.into_bytes();
    let head_len = request.len();
    request.extend_from_slice(&buffer[end..end + length]);
    let mut server = TcpStream::connect(upstream).await?;
    if cut == Some(Cut::MidRequest) {
        let keep = if length > 0 { head_len + length / 2 } else { head_len / 2 };
        server.write_all(&request[..keep]).await?;
        // Dropping both sockets: the server sees half a request and then the end of the stream;
        // the client sees its connection close without an answer.
        return Ok(());
    }
    server.write_all(&request).await?;
    let mut response = Vec::new();
    // `Connection: close` makes the server close once its answer is complete.
    server.read_to_end(&mut response).await?;
    if response.is_empty() {
        return Err(invalid(format!("{request_line}: the server closed without answering")));
    }
    let keep = if cut == Some(Cut::MidResponse) { response.len() / 2 } else { response.len() };
    client.write_all(&response[..keep]).await?;
    client.shutdown().await?;
    Ok(())
}
