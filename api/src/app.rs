//! Building and running the server: the one path `main` and the tests share.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto::Builder as ConnectionBuilder, graceful::GracefulShutdown},
};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::Service;

use crate::{
    config::Config,
    db::{self, DbError},
    graphql,
    http::{self, AppState},
    metrics::Metrics,
    services::Services,
};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Services(#[from] crate::services::ServicesError),
    #[error("cannot listen on {addr} (LEADFORGE_ADDR): {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A built, bound, not yet running server.
pub struct App {
    listener: TcpListener,
    state: AppState,
    shutdown_tx: tokio::sync::watch::Sender<bool>,
}

impl App {
    /// Connects to the database, migrates it when configured to, builds the
    /// services and the schema, and binds the listener (port 0 picks a free one).
    pub async fn build(mut config: Config) -> Result<Self, StartError> {
        if config.migrate_on_start {
            let applied = db::migrate_up(&config.database).await?;
            if applied > 0 {
                tracing::info!(applied, "database migrated");
            }
        }
        let metrics = Metrics::new();
        let mut db = db::connect(&config.database).await?;
        // Cloned before the metric is attached: the same pool, unmetered.
        let queue_db = db.clone();
        let statement_metrics = metrics.clone();
        db.set_metric_callback(move |info| {
            statement_metrics.record_statement(info.elapsed.as_secs_f64(), info.failed);
        });
        if !config.migrate_on_start {
            let pending = db::pending_migrations(&db)
                .await
                .map_err(DbError::Migrate)?;
            if pending > 0 {
                return Err(DbError::Pending(pending).into());
            }
        }

        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.addr,
                source,
            })?;
        // Port 0 asks for any free port; links (signed blob URLs) must name
        // the one actually bound, which only exists from here on.
        if config.public_url.port() == Some(0)
            && let Ok(bound) = listener.local_addr()
        {
            let _ = config.public_url.set_port(Some(bound.port()));
        }
        let services = Services::build_with_queue(db, queue_db, &config).await?;
        spawn_throttle_sweeper(&services);
        spawn_policy_reloader(&services);
        if config.is_embedded() {
            hint_first_chief_architect(&services).await;
        }
        let schema = graphql::build_schema(
            Some(services.clone()),
            &config.graphql,
            Some(metrics.clone()),
        );
        let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);
        let state = AppState {
            schema,
            services,
            fanout: graphql::fanout::Fanout::new(Some(metrics.clone())),
            metrics,
            subscriptions: http::ws_guard::UserBudget::new(config.http.max_subscriptions_per_user),
            config: Arc::new(config),
            shutdown,
        };
        Ok(Self {
            listener,
            state,
            shutdown_tx,
        })
    }

    /// The services the server runs on (tests use them for fixtures).
    pub fn services(&self) -> &Services {
        &self.state.services
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `stop` completes, then lets in-flight requests finish
    /// for up to the configured grace period.
    ///
    /// The accept loop is hyper's own rather than `axum::serve`, for the
    /// bounds slow clients need: a deadline for request headers (which is
    /// also the idle keep-alive timeout), a bound on open connections, and
    /// (in the router) a deadline between body chunks.
    pub async fn run_until_stopped(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let grace = self.state.config.shutdown_grace;
        let limits = self.state.config.http;
        let handlers = crate::jobs::Handlers::default()
            .with(
                crate::services::launch::KIND,
                Arc::new(self.state.services.launcher.clone()),
            )
            .with(
                crate::services::leads::webhook::KIND,
                Arc::new(self.state.services.lead_fetcher.clone()),
            )
            .with(
                crate::services::leads::deliveries::KIND,
                Arc::new(self.state.services.deliveries.clone()),
            );
        let mut workers = crate::jobs::worker::spawn(
            self.state.services.queue.clone(),
            handlers,
            self.state.shutdown.clone(),
            self.state.config.job_workers,
        );
        if self.state.config.job_workers > 0 {
            workers.spawn(crate::services::launch::sweep::run(
                self.state.services.campaigns.db.clone(),
                self.state.services.queue.clone(),
                self.state.shutdown.clone(),
            ));
        }
        let insights = crate::services::insights::InsightsSync::of(
            &self.state.services,
            self.state.services.campaigns.db.clone(),
            self.state.config.insights_interval,
        )
        .spawn(self.state.shutdown.clone());
        let reconciler = self
            .state
            .services
            .lead_reconciler
            .clone()
            .spawn(self.state.shutdown.clone());
        let token_checks = spawn_token_checks(
            &self.state.services,
            self.state.config.token_check_interval,
            self.state.shutdown.clone(),
        );
        let shutdown_tx = self.shutdown_tx;
        let stopping = self.state.shutdown.clone();
        let listener = self.listener;
        let router = http::router(self.state);
        let connections = Arc::new(Semaphore::new(limits.max_connections));
        let per_address = http::admission::PerAddress::new(limits.max_connections_per_address);
        let graceful = GracefulShutdown::new();
        let mut builder = ConnectionBuilder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout);
        builder
            .http2()
            .timer(TokioTimer::new())
            .keep_alive_interval(Some(http::WS_KEEPALIVE))
            .keep_alive_timeout(limits.header_timeout);

        tokio::pin!(stop);
        loop {
            // Wait for a free slot before accepting: past the bound, new
            // clients wait in the kernel's backlog instead of costing memory.
            let permit = tokio::select! {
                permit = connections.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
                () = &mut stop => break,
            };
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors, or a connection reset
                        // before it was accepted: wait a moment, go on.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut stop => break,
            };
            // An address past its share is closed at once, before it costs
            // a task or a parser.
            let Some(share) = per_address.admit(peer.ip()) else {
                tracing::debug!(%peer, "connection refused: too many from this address");
                drop(stream);
                continue;
            };
            let _ = stream.set_nodelay(true);
            let router = router.clone();
            let streams = http::h2_idle::Streams::default();
            let service = hyper::service::service_fn({
                let streams = streams.clone();
                move |mut request: hyper::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    let open = streams.open();
                    let response = router.clone().call(request);
                    async move {
                        let response = response.await?;
                        Ok::<_, std::convert::Infallible>(
                            response.map(|body| http::h2_idle::Tracked::new(body, open)),
                        )
                    }
                }
            });
            let builder = builder.clone();
            let watcher = graceful.watcher();
            let mut stopping = stopping.clone();
            let (first_bytes, h2c, h2_idle) =
                (limits.header_timeout, limits.h2c, limits.h2_idle_timeout);
            tokio::spawn(async move {
                // Silent connections and, unless enabled, h2c are closed
                // before hyper sees them.
                let speaks = match http::admission::first_bytes(&stream, first_bytes, h2c).await {
                    Ok(speaks) => speaks,
                    Err(refused) => {
                        tracing::debug!(%peer, ?refused, "connection closed before serving");
                        drop((permit, share));
                        return;
                    }
                };
                let connection = builder
                    .serve_connection_with_upgrades(TokioIo::new(stream), service)
                    .into_owned();
                let served = match speaks {
                    http::admission::Speaks::Http1 => watcher.watch(connection).await,
                    // hyper's graceful watcher cannot be told to close an
                    // idle connection, so HTTP/2 closes itself on either
                    // signal; the watcher is held so shutdown still waits.
                    http::admission::Speaks::Http2 => {
                        let _watcher = watcher;
                        tokio::pin!(connection);
                        let mut closing = false;
                        loop {
                            tokio::select! {
                                served = connection.as_mut() => break served,
                                () = streams.idle_for(h2_idle), if !closing => {
                                    tracing::debug!(%peer, "closing an idle HTTP/2 connection");
                                    closing = true;
                                    connection.as_mut().graceful_shutdown();
                                }
                                _ = stopping.wait_for(|stopping| *stopping), if !closing => {
                                    closing = true;
                                    connection.as_mut().graceful_shutdown();
                                }
                            }
                        }
                    }
                };
                if let Err(e) = served {
                    tracing::debug!(error = %e, %peer, "connection ended with an error");
                }
                drop((permit, share));
            });
        }

        tracing::info!("shutting down: finishing in-flight requests");
        let _ = shutdown_tx.send(true);
        drop(listener);
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(grace) => {
                tracing::warn!(grace_secs = grace.as_secs(), "shutdown grace period over; closing remaining connections");
            }
        };
        // Background jobs finish the step they are in (within the grace
        // period) and leave the rest to the next start.
        let drained = tokio::time::timeout(grace, async {
            while workers.join_next().await.is_some() {}
        })
        .await;
        // A sync cycle in flight is cut short; the next start reads again.
        insights.abort();
        reconciler.abort();
        token_checks.abort();
        if drained.is_err() {
            tracing::warn!(
                "background jobs still running after the grace period; their leases will run out"
            );
            workers.abort_all();
        }
        Ok(())
    }
}

/// Forgets idle sign-in throttle keys every minute, so memory follows recent
/// activity; stops when the services are dropped.
/// Reads every verified integration's token expiry at start and then every
/// `interval`, warning owners (see `services::integrations::expiry`).
fn spawn_token_checks(
    services: &Services,
    interval: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let integrations = services.integrations.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = shutdown.changed() => return,
            }
            match integrations.check_tokens().await {
                Ok(report) => tracing::info!(?report, "token expiry checked"),
                Err(e) => tracing::warn!(error = %e, "token expiry check failed"),
            }
        }
    })
}

fn spawn_throttle_sweeper(services: &Services) {
    let throttle = std::sync::Arc::downgrade(&services.throttle);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            match throttle.upgrade() {
                Some(throttle) => throttle.forget_idle(),
                None => break,
            }
        }
    });
}

/// Re-reads the authorization policy rows on SIGHUP, so an operator's edit
/// of `casbin_rule` takes effect without a restart.
fn spawn_policy_reloader(services: &Services) {
    #[cfg(unix)]
    {
        let authz = services.authz.clone();
        let Ok(mut hangups) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                match authz.reload().await {
                    Ok(()) => tracing::info!("authorization policy reloaded"),
                    Err(e) => {
                        tracing::error!(error = %e, "reloading the authorization policy failed; keeping the old one")
                    }
                }
            }
        });
    }
    #[cfg(not(unix))]
    let _ = services;
}

/// On an install without a chief architect, says how to create one.
async fn hint_first_chief_architect(services: &Services) {
    if let Ok(false) = services.identity.chief_architect_exists().await {
        tracing::warn!(
            "no chief architect yet: create one with `leadforge admin create-chief-architect --email you@example.com` (it asks for the password)"
        );
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
