"""A local static server that behaves like a static host: text gzipped on the wire, no caching.

Text (HTML, CSS, JavaScript, JSON, SVG, WebAssembly) is sent with Content-Encoding: gzip, as
static hosts do, compressed ahead of time for the folders given. Pagefind's own files (.pagefind,
.pf_*) are already gzip-compressed by Pagefind, which decompresses them itself, so they go out
as they are. Every response says Cache-Control: no-store, so each fresh browser context starts
cold.

The server runs in a process of its own, so that it never waits for the benchmark's Python (the
Playwright client) to release the GIL. It records the bytes it writes for each request, status
line and headers included: GET /__bench/log returns that record as JSON and starts a new one.
Counting at the server sees every request a page causes, those of Web Workers included, which
the browser's own accounting misses for a worker's script.
"""

from __future__ import annotations

import gzip
import http.server
import json
import subprocess
import sys
import threading
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
         ".json": "application/json", ".svg": "image/svg+xml", ".wasm": "application/wasm",
         ".txt": "text/plain; charset=utf-8", ".xml": "application/xml"}
COMPRESSED = set(TYPES)  # every text type above is gzipped; anything else is sent as is
LOG_PATH = "/__bench/log"


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as browsers and hosts use
    # Headers and body go out as two writes. With Nagle's algorithm on, the body waits for the
    # client to acknowledge the headers, and clients delay that acknowledgement by up to 40 ms:
    # static hosts' servers set TCP_NODELAY (nginx's tcp_nodelay is on by default), so we do.
    disable_nagle_algorithm = True
    server: "StaticServer"

    def do_GET(self):
        url_path = urlsplit(self.path).path
        if url_path == LOG_PATH:
            self.send(json.dumps(self.server.take_log()).encode(), "application/json", False)
            return
        path = self.server.resolve(url_path)
        if path is None:
            self.send_error(404)
            return
        data, encoded = self.server.payload(path, "gzip" in self.headers.get("Accept-Encoding", ""))
        self.send(data, TYPES.get(path.suffix, "application/octet-stream"), encoded, url_path)

    def send(self, data: bytes, content_type: str, encoded: bool, logged: str | None = None):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if encoded:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "no-store")
        head = sum(len(line) for line in self._headers_buffer) + 2  # + the blank line
        self.end_headers()
        self.wfile.write(data)
        if logged:
            with self.server.lock:
                self.server.log.append([logged, len(data), head])

    def log_message(self, format, *args):
        pass


class StaticServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, root: Path, port: int = 0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.root = Path(root).resolve()
        self.cache: dict[Path, bytes] = {}
        self.lock = threading.Lock()
        self.log: list[list] = []

    def take_log(self) -> list[list]:
        with self.lock:
            log, self.log = self.log, []
        return log

    def resolve(self, url_path: str) -> Path | None:
        path = (self.root / unquote(url_path).lstrip("/")).resolve()
        if not path.is_relative_to(self.root):
            return None
        if path.is_dir():
            path = path / "index.html"
        return path if path.is_file() else None

    def payload(self, path: Path, gzip_ok: bool) -> tuple[bytes, bool]:
        if not gzip_ok or path.suffix not in COMPRESSED:
            return path.read_bytes(), False
        with self.lock:
            if path not in self.cache:
                self.cache[path] = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
            return self.cache[path], True

    def precompress(self, folder: Path) -> None:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                self.payload(path.resolve(), True)


class Served:
    """A running server: its base URL, and the log of what it sent."""

    def __init__(self, url: str):
        self.url = url

    def take_log(self) -> list[tuple[str, int, int]]:
        """(path, body bytes, status line and header bytes) of each response since last asked."""
        with urllib.request.urlopen(self.url + LOG_PATH) as response:
            return [tuple(entry) for entry in json.load(response)]


@contextmanager
def serve(root: Path, precompress: tuple[str, ...] = ()):
    """Serve ``root`` on a free port of 127.0.0.1 from a child process; yields a Served."""
    process = subprocess.Popen([sys.executable, __file__, str(root), *precompress],
                               stdout=subprocess.PIPE, text=True)
    try:
        port = int(process.stdout.readline())
        yield Served(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait()


def main(root: str, *precompress: str) -> None:
    server = StaticServer(Path(root))
    for folder in precompress:
        server.precompress(server.root / folder)
    print(server.server_port, flush=True)
    server.serve_forever(0.05)


if __name__ == "__main__":
    main(*sys.argv[1:])
