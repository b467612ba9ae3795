//! Starting and stopping the hub: bind, serve until told to stop, finish the requests in
//! flight. Tests start it in-process on `127.0.0.1:0` and read the port from [`RunningHub::addr`].

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use hotline_core::device::Device;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::errors::HubError;
use crate::routes::router;
use crate::state::{Hub, HubOptions};

/// A hub serving on a bound address.
#[derive(Debug)]
pub struct RunningHub {
    addr: SocketAddr,
    hub: Arc<Hub>,
    stop: Option<oneshot::Sender<()>>,
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
    options: HubOptions,
) -> Result<RunningHub, HubError> {
    let dir = data_dir.to_path_buf();
    let hub = tokio::task::spawn_blocking(move || Hub::open(&dir, options))
        .await
        .map_err(|e| HubError::Internal(format!("opening the hub failed: {e}")))??;
    let hub = Arc::new(hub);
    let listen_err = |e: std::io::Error| HubError::Listen {
        addr: addr.to_string(),
        reason: e.to_string(),
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(listen_err)?;
    let bound = listener.local_addr().map_err(listen_err)?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router(Arc::clone(&hub));
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                // A dropped sender stops the hub too.
                let _ = stopped.await;
            })
            .await
    });
    Ok(RunningHub {
        addr: bound,
        hub,
        stop: Some(stop),
        task: Some(task),
    })
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

    /// Looks at the hub's store (change counts, refusal log) between requests. Blocks while a
    /// request holds the store; from async code, call it inside `spawn_blocking`.
    pub fn inspect<R>(&self, f: impl FnOnce(&Device) -> R) -> R {
        let inner = self.hub.lock();
        f(&inner.device)
    }

    /// Stops accepting connections, lets the requests in flight finish, and returns.
    pub async fn shutdown(mut self) -> Result<(), HubError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
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
            // The server stopped by itself (its listener failed).
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
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
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
