//! Starting and stopping the hub: bind, serve until told to stop, finish the requests in
//! flight. Tests start it in-process on `127.0.0.1:0` and read the port from [`RunningHub::addr`].
//!
//! Connections are served by hyper directly (axum's router as the service) for the settings a
//! public endpoint needs: a request head must arrive within [`HubOptions::header_timeout`] (a
//! connection idle between requests for that long is closed too), at most
//! [`HubOptions::max_connections`] are open (the hub stops accepting until one closes, with the
//! process's file limit raised to what the system allows first), and shutdown is graceful.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use hotline_core::device::Device;
use hotline_core::store::GARBAGE_GRACE;
use hotline_core::sync::HubReads;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use crate::errors::HubError;
use crate::options::HubOptions;
use crate::routes::router;
use crate::state::Hub;

/// Descriptors kept free for the store, its blobs and the log when capping connections.
const RESERVED_FILES: u64 = 256;
/// Bytes a connection buffers while reading a request head.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long a stopping hub waits for requests in flight.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(30);

/// A hub serving on a bound address.
#[derive(Debug)]
pub struct RunningHub {
    addr: SocketAddr,
    hub: Arc<Hub>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// Starts a hub on the authority folder `data_dir` (its store in `data_dir/store`, created on
/// first start), listening on `addr` (`127.0.0.1:0` picks a free port), with the system clock.
pub async fn start(data_dir: &Path, addr: &str) -> Result<RunningHub, HubError> {
    start_with(data_dir, addr, HubOptions::default()).await
}

pub async fn start_with(
    data_dir: &Path,
    addr: &str,
    mut options: HubOptions,
) -> Result<RunningHub, HubError> {
    // Idle connections must not starve the hub of descriptors: the soft limit goes up to the
    // hard one, and the connection cap stays below whatever that is.
    if let Ok(files) = rlimit::increase_nofile_limit(u64::MAX) {
        let room = usize::try_from(files.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX);
        options.max_connections = options.max_connections.min(room.max(16));
    }
    let dir = data_dir.to_path_buf();
    let hub = tokio::task::spawn_blocking(move || Hub::open(&dir, options))
        .await
        .map_err(|e| HubError::Internal(format!("opening the hub failed: {e}")))??;
    let hub = Arc::new(hub);
    let listen_err = |e: std::io::Error| HubError::Listen {
        addr: addr.to_string(),
        reason: e.to_string(),
    };
    let listener = TcpListener::bind(addr).await.map_err(listen_err)?;
    let bound = listener.local_addr().map_err(listen_err)?;
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(collect_garbage(Arc::clone(&hub), stopped.clone()));
    tokio::spawn(crate::api::webhooks::deliver(
        Arc::clone(&hub),
        stopped.clone(),
    ));
    let task = tokio::spawn(serve(listener, Arc::clone(&hub), stopped));
    hub.log.always(format_args!(
        "serving on {bound}: at most {} connections, {} heavy request(s) at once",
        hub.options.max_connections, hub.options.heavy_requests
    ));
    Ok(RunningHub {
        addr: bound,
        hub,
        stop,
        task: Some(task),
    })
}

/// Resolves once `stop` says so (or its sender is gone).
async fn stopping(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

async fn serve(
    listener: TcpListener,
    hub: Arc<Hub>,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let app = router(Arc::clone(&hub));
    let graceful = GracefulShutdown::new();
    let open = Arc::new(Semaphore::new(hub.options.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(hub.options.header_timeout)
        .max_buf_size(MAX_HEAD_BYTES)
        .keep_alive(true);
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&open).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = stopping(&mut stop) => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => (stream, peer),
                // Out of descriptors or a connection reset before accept: wait a moment
                // rather than spin, and go on.
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = stopping(&mut stop) => break,
        };
        let (stream, peer) = stream;
        let _ = stream.set_nodelay(true);
        let client = crate::api::ClientAddr(peer.ip());
        let service = tower::ServiceExt::map_request(
            app.clone(),
            move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(client);
                req
            },
        );
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(DRAIN) => {}
    }
    Ok(())
}

/// Now and then: photos no record references and unfinished uploads (past the grace period),
/// and the rate limiter's memory of quiet certificates.
async fn collect_garbage(hub: Arc<Hub>, mut stop: watch::Receiver<bool>) {
    loop {
        let worker = Arc::clone(&hub);
        let collected = tokio::task::spawn_blocking(move || {
            worker.rate.forget_quiet();
            worker.collect_garbage(SystemTime::now(), GARBAGE_GRACE)
        })
        .await;
        match collected {
            Ok(Ok(r)) if r.blobs_removed + r.partial_uploads_removed > 0 => {
                hub.log.always(format_args!(
                    "collected {} unreferenced photo(s) ({} bytes) and {} unfinished upload(s)",
                    r.blobs_removed, r.bytes_freed, r.partial_uploads_removed
                ))
            }
            Ok(Err(e)) => eprintln!("[hub] collecting garbage failed: {e}"),
            _ => {}
        }
        tokio::select! {
            () = tokio::time::sleep(hub.options.collect_every) => {}
            () = stopping(&mut stop) => return,
        }
    }
}

impl RunningHub {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`, what devices are given as `--hub`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The hub's node id (devices name it by this in their cursors and bundles).
    pub fn node_id(&self) -> &str {
        &self.hub.node_id
    }

    /// Looks at the SQLite hub's store (change counts, refusal log) between requests; `None`
    /// for a PostgreSQL hub (see [`RunningHub::inspect_reads`]). Blocks while a request holds
    /// the store; from async code, call it inside `spawn_blocking`.
    pub fn inspect<R>(&self, f: impl FnOnce(&Device) -> R) -> Option<R> {
        self.hub.sqlite_writer().map(|w| f(w.hub.device()))
    }

    /// Reads the hub's storage, whichever backend holds it, on a read connection. Runs on a
    /// thread of its own, so async code (a test) may call it directly.
    pub fn inspect_reads<R: Send>(
        &self,
        f: impl FnOnce(&mut dyn HubReads) -> Result<R, HubError> + Send,
    ) -> Result<R, HubError> {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let view = self.hub.view();
                    self.hub.with_reads(&view, f)
                })
                .join()
                .unwrap_or_else(|_| Err(HubError::Internal("the reading thread failed".into())))
        })
    }

    /// Stops accepting connections, lets the requests in flight finish, and returns.
    pub async fn shutdown(mut self) -> Result<(), HubError> {
        let _ = self.stop.send(true);
        self.join().await
    }

    /// Serves until `signal` resolves (Ctrl-C for the CLI), then shuts down gracefully.
    pub async fn run_until(
        mut self,
        signal: impl std::future::Future<Output = ()>,
    ) -> Result<(), HubError> {
        let Some(task) = self.task.as_mut() else {
            return Ok(());
        };
        tokio::select! {
            () = signal => self.shutdown().await,
            // The server stopped by itself.
            out = task => {
                self.task = None;
                flatten(out)
            }
        }
    }

    async fn join(&mut self) -> Result<(), HubError> {
        match self.task.take() {
            Some(task) => flatten(task.await),
            None => Ok(()),
        }
    }
}

fn flatten(out: Result<std::io::Result<()>, tokio::task::JoinError>) -> Result<(), HubError> {
    match out {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(HubError::Internal(format!("server failed: {e}"))),
        Err(e) => Err(HubError::Internal(format!("server task failed: {e}"))),
    }
}

impl Drop for RunningHub {
    /// A hub dropped without `shutdown` stops serving too (the task ends on its own).
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Resolves on Ctrl-C, or SIGTERM on Unix (how a service manager stops the hub).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    () = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => ctrl_c.await,
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}
