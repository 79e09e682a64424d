"""Northstar on several servers, on one machine for trying it: `make cluster`.

    python -m deploy.cluster --db data/northstar.duckdb [--servers 2] [--port 8080]
                             [--root .cluster] [--workspace URL]

Starts, all on loopback:

- a PostgreSQL server for the shared workspace (actions, alerts, sends, sign-outs), its data
  in ROOT/postgres, reached on a Unix socket in ROOT/postgres/socket; skipped when --workspace
  names a database already (NORTHSTAR_WORKSPACE's format);
- SERVERS Streamlit servers (`streamlit run serve.py`), each on a port of its own, all reading
  the same database (published versions: northstar.data.db.published) and the same workspace, and
  all signing cookies with the same secret (ROOT/cookie_secret, made once);
- HAProxy on PORT in front of them (deploy/haproxy.cfg): a session stays on the server that
  served its first request (the NORTHSTAR_SERVER cookie), the servers' health endpoint is
  checked every 2 seconds, and a server that fails it 3 times or refuses a connection is out of
  rotation; its sessions and new ones go to the others.

Everything stops on Ctrl-C (or SIGTERM). The parts are the ones docs/deploy.md describes for
several machines.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
HAPROXY_TEMPLATE = Path(__file__).with_name("haproxy.cfg")
HEALTH_PATH = "/_stcore/health"
AFFINITY_COOKIE = "NORTHSTAR_SERVER"
# Streamlit's cookie secret (server.cookieSecret); with sign-in, [auth] cookie_secret wins
COOKIE_SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
STARTUP_SECONDS = 90
# the longest a balancer takes to see a server go or come back: the health checks' 2 s interval
# times 3 failures (or 2 passes), each check allowed 5 s, with room for a busy machine
ROTATION_SECONDS = 30
BACKEND = "streamlit"  # the backend's name in deploy/haproxy.cfg
WORKSPACE_DATABASE = "northstar"


class ClusterError(RuntimeError):
    """A part of the cluster could not start; the message says which and why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def haproxy_binary() -> str | None:
    return shutil.which("haproxy") or next(
        (path for path in ("/usr/sbin/haproxy",) if os.access(path, os.X_OK)), None)


def postgres_binaries() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda path: int(path.parent.parent.name))
    return found[-1].parent if found else None


def cookie_secret(root: Path) -> str:
    """The secret every server signs cookies with (made once, kept in ROOT/cookie_secret)."""
    path = root / "cookie_secret"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def haproxy_config(port: int, servers: list[tuple[str, int]], host: str = "127.0.0.1") -> str:
    """deploy/haproxy.cfg with the balancer's address and one `server` line per server."""
    lines = "\n".join(
        f"    server {name} 127.0.0.1:{server_port} check cookie {name}"
        for name, server_port in servers)
    return (HAPROXY_TEMPLATE.read_text()
            .replace("__BIND__", f"{host}:{port}")
            .replace("__SERVERS__", lines))


class LocalPostgres:
    """A PostgreSQL server whose data lives in `folder` (kept between runs), on a Unix socket
    only. PostgreSQL refuses to run as root, so as root it runs as the postgres user."""

    def __init__(self, folder: Path) -> None:
        self.bin = postgres_binaries()
        if self.bin is None:
            raise ClusterError("PostgreSQL is not installed (Debian package postgresql)")
        self.folder = folder
        self.data = folder / "data"
        self.socket_dir = folder / "socket"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([*self.as_user, str(self.bin / program), *args],
                              capture_output=True, text=True, cwd=self.folder)
        if done.returncode:
            raise ClusterError(f"PostgreSQL {program} failed: {done.stderr.strip()[-500:]}")

    def start(self) -> str:
        """Start the server (creating it on first use); the workspace's URL."""
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if self.as_user:
            for path in (self.folder, self.socket_dir):
                shutil.chown(path, "postgres")
            blocked = next((parent for parent in self.folder.parents
                            if not os.stat(parent).st_mode & 0o001), None)
            if blocked is not None:
                raise ClusterError(
                    f"PostgreSQL runs as the postgres user, who cannot reach {self.folder}: "
                    f"{blocked} is closed to other users. Choose another --root.")
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "northstar",
                      "-E", "UTF8", "--no-instructions")
        self._run("pg_ctl", "-D", str(self.data), "-o",
                  f"-k {self.socket_dir} -c listen_addresses=''", "-l",
                  str(self.folder / "server.log"), "-w", "-t", "60", "start")
        self._create_database()
        return f"postgresql+psycopg://northstar@/{WORKSPACE_DATABASE}?host={self.socket_dir}"

    def _create_database(self) -> None:
        with psycopg.connect(host=str(self.socket_dir), user="northstar", dbname="postgres",
                             autocommit=True) as connection:
            exists = connection.execute("select 1 from pg_database where datname = %s",
                                        (WORKSPACE_DATABASE,)).fetchone()
            if not exists:
                connection.execute(f'create database "{WORKSPACE_DATABASE}"')

    def stop(self) -> None:
        with contextlib.suppress(ClusterError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@dataclass
class AppServer:
    name: str
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    """The whole thing; `with Cluster(...) as cluster:` starts it and stops it after."""

    db: Path
    root: Path
    servers: int = 2
    port: int = 0  # the balancer's port; 0 = a free one
    workspace: str | None = None  # NORTHSTAR_WORKSPACE; None = a local PostgreSQL in ROOT
    host: str = "127.0.0.1"
    env: dict[str, str] = field(default_factory=dict)
    streamlit_args: list[str] = field(default_factory=list)  # e.g. --secrets.files FILE
    app_servers: list[AppServer] = field(default_factory=list)
    postgres: LocalPostgres | None = None
    balancer: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        haproxy = haproxy_binary()
        if haproxy is None:
            raise ClusterError("HAProxy is not installed (Debian package haproxy: "
                               "apt-get install -y haproxy)")
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        if self.workspace is None:
            self.postgres = LocalPostgres(self.root / "postgres")
            self.workspace = self.postgres.start()
        secret = cookie_secret(self.root)
        for number in range(1, self.servers + 1):
            server = AppServer(f"s{number}", free_port(), self.root / f"server-s{number}.log")
            self.app_servers.append(server)
            self._start_server(server, secret)
        for server in self.app_servers:
            self._wait_healthy(server)
        config = self.root / "haproxy.cfg"
        config.write_text(haproxy_config(
            self.port, [(server.name, server.port) for server in self.app_servers], self.host))
        log = open(self.root / "haproxy.log", "w")  # noqa: SIM115 - closed with the process
        self.balancer = subprocess.Popen([haproxy, "-db", "-f", str(config)],
                                         stdout=log, stderr=subprocess.STDOUT)
        self._wait_balancer()

    def _start_server(self, server: AppServer, secret: str) -> None:
        env = {**os.environ, "NORTHSTAR_DB": str(self.db), "NORTHSTAR_WORKSPACE": self.workspace,
               COOKIE_SECRET_ENV: secret, **self.env}
        with open(server.log, "a") as log:
            server.process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "serve.py",
                 "--server.headless", "true", "--server.port", str(server.port),
                 "--server.address", "127.0.0.1",
                 # a served app does not watch its source files (a watcher on a busy tree
                 # overflows and can rerun sessions)
                 "--server.fileWatcherType", "none",
                 "--browser.gatherUsageStats", "false", *self.streamlit_args],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def _wait_healthy(self, server: AppServer) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if server.process is not None and server.process.poll() is not None:
                raise ClusterError(f"server {server.name} ended at start; its log: {server.log}")
            if answers(server.url + HEALTH_PATH):
                return
            time.sleep(0.3)
        raise ClusterError(f"server {server.name} did not start within {STARTUP_SECONDS} s; "
                           f"its log: {server.log}")

    def _wait_balancer(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.balancer is not None and self.balancer.poll() is not None:
                raise ClusterError(f"HAProxy ended at start; its log: {self.root / 'haproxy.log'}")
            if answers(self.url + HEALTH_PATH):
                return
            time.sleep(0.3)
        raise ClusterError("HAProxy did not answer within 30 s")

    def kill(self, name: str) -> None:
        """Kill a server at once (SIGKILL), as a crash would."""
        server = self.server(name)
        if server.process is not None and server.process.poll() is None:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()

    def out_of_rotation(self, name: str) -> bool:
        """Whether the balancer has taken server `name` out of rotation (its log's last word
        on the server is that it is down)."""
        try:
            log = (self.root / "haproxy.log").read_text(errors="replace")
        except OSError:
            return False
        down = log.rfind(f"Server {BACKEND}/{name} is DOWN")
        return down >= 0 and down > log.rfind(f"Server {BACKEND}/{name} is UP")

    def wait_out_of_rotation(self, name: str) -> None:
        """Until the balancer has taken server `name` out of rotation (a killed server: at its
        first refused connection, or its third failed health check; ClusterError after
        ROTATION_SECONDS)."""
        deadline = time.monotonic() + ROTATION_SECONDS
        while not self.out_of_rotation(name):
            if time.monotonic() > deadline:
                raise ClusterError(f"the balancer did not take server {name} out of rotation "
                                   f"within {ROTATION_SECONDS} s; its log: "
                                   f"{self.root / 'haproxy.log'}")
            time.sleep(0.2)

    def restart(self, name: str) -> None:
        """Start a server that has ended again, on its port; back once the balancer has seen it
        healthy (two checks in a row) and sends new visitors to it."""
        server = self.server(name)
        self._start_server(server, cookie_secret(self.root))
        self._wait_healthy(server)
        deadline = time.monotonic() + ROTATION_SECONDS
        while time.monotonic() < deadline:  # new visitors (no cookie) reach it again
            if name in {served_by(self.url) for _ in self.app_servers}:
                return
            time.sleep(0.5)
        raise ClusterError(f"server {name} is healthy but the balancer does not send to it")

    def server(self, name: str) -> AppServer:
        return next(server for server in self.app_servers if server.name == name)

    def stop(self) -> None:
        if self.balancer is not None and self.balancer.poll() is None:
            self.balancer.terminate()
            self.balancer.wait(timeout=20)
        for server in self.app_servers:
            if server.process is not None and server.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.process.pid, signal.SIGTERM)
                try:
                    server.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(server.process.pid, signal.SIGKILL)
                    server.process.wait()
        if self.postgres is not None:
            self.postgres.stop()


def served_by(url: str) -> str | None:
    """The server the balancer sends a new visitor (no cookie) to: its affinity cookie."""
    try:
        with urllib.request.urlopen(url + "/", timeout=5) as response:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                if name.strip() == AFFINITY_COOKIE:
                    return rest.split(";", 1)[0]
    except OSError:
        return None
    return None


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the Northstar database")
    parser.add_argument("--servers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080, help="the load balancer's port")
    parser.add_argument("--root", type=Path, default=REPO / ".cluster",
                        help="where the PostgreSQL data, the logs and the cookie secret live")
    parser.add_argument("--workspace", help="a workspace database URL instead of a local "
                                            "PostgreSQL (NORTHSTAR_WORKSPACE's format)")
    args = parser.parse_args(argv)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    try:
        with Cluster(args.db.resolve(), args.root.resolve(), args.servers, args.port,
                     args.workspace) as cluster:
            print(f"Northstar is served on {cluster.url} by "
                  + ", ".join(f"{server.name} ({server.url})" for server in cluster.app_servers)
                  + f"; workspace on PostgreSQL in {cluster.root / 'postgres'}"
                  * (cluster.postgres is not None)
                  + f"; logs in {cluster.root}. Ctrl-C stops everything.", flush=True)
            while not stopping:
                for server in cluster.app_servers:
                    if server.process is not None and server.process.poll() is not None:
                        print(f"server {server.name} ended (exit status "
                              f"{server.process.returncode}); its log: {server.log}", flush=True)
                        server.process = None
                time.sleep(1)
    except ClusterError as error:
        print(f"make cluster: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
