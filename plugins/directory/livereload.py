"""Local preview that rebuilds on change (`invoke livereload`): build, serve the output folder on
127.0.0.1, watch the profiles, theme, plugin, schemas and settings, and rebuild after each
change. A rebuild that fails prints its problems and the server keeps serving the last good
site (the build is atomic: see staging.py).

Each build runs in a fresh Python process, not in this one: Pelican imports the plugin and
caches templates once per process, so only a new process sees an edited plugin module, and a
build that crashes cannot take the server down with it.

Browsers reload by themselves: HTML pages served by this server (never the files written to
the output folder) get one `<script src>` of a small polling script that this server also
serves. It is a same-origin script file, not inline code, so the site's Content-Security-Policy
(script-src 'self', no 'unsafe-inline') holds unchanged in the preview; a WebSocket or an
injected inline snippet would need the policy loosened. Polling once a second costs nothing
on 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path

from watchfiles import watch

RELOAD_PREFIX = "/__livereload__/"
RELOAD_SCRIPT = """\
// Preview only (invoke livereload): reload the page when the server has a newer build.
let seen = null;
async function poll() {
  try {
    const response = await fetch("/__livereload__/build", { cache: "no-store" });
    const build = await response.text();
    if (seen !== null && build !== seen) location.reload();
    seen = build;
  } catch (error) {
    // The server is restarting or gone; keep trying.
  }
  setTimeout(poll, 1000);
}
poll();
"""
SCRIPT_TAG = f'<script src="{RELOAD_PREFIX}reload.js" defer></script>'.encode()

# One script runs each build, in its own process (see the module's docstring).
BUILD_SCRIPT = """\
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from directory.building import build_site
from directory.problems import BuildFailed
try:
    build_site(Path(sys.argv[2]), content=Path(sys.argv[3]), output=Path(sys.argv[4]))
except BuildFailed:
    sys.exit(1)  # the problems are printed already
"""


def watched_paths(root: Path, content: Path) -> list[Path]:
    """What a build reads: profiles, theme, plugin code, schemas and the local settings."""
    paths = [content, root / "theme", root / "plugins", root / "schemas", root / "pelicanconf.py"]
    return [path for path in paths if path.exists()]


def build_in_subprocess(root: Path, settings: Path, content: Path, output: Path) -> bool:
    result = subprocess.run([sys.executable, "-c", BUILD_SCRIPT, str(root / "plugins"),
                             str(settings), str(content), str(output)], cwd=root)
    return result.returncode == 0


class PreviewServer:
    """Serves ``output`` on 127.0.0.1 with the reload script and the number of the current
    build; ``port`` 0 picks a free port (see ``url``)."""

    def __init__(self, output: Path, port: int):
        self.build = 0
        handler = functools.partial(PreviewHandler, preview=self, directory=str(output))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".mjs": "text/javascript"}

    def __init__(self, *args, preview: PreviewServer, **kwargs):
        self.preview = preview
        super().__init__(*args, **kwargs)

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == f"{RELOAD_PREFIX}reload.js":
            return self.send_bytes(RELOAD_SCRIPT.encode(), "text/javascript")
        if path == f"{RELOAD_PREFIX}build":
            return self.send_bytes(str(self.preview.build).encode(), "text/plain")
        file = Path(self.translate_path(self.path))
        if file.is_dir() and path.endswith("/"):
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            page = file.read_bytes()
            head = page.find(b"</head>")
            if head >= 0:
                page = page[:head] + SCRIPT_TAG + page[head:]
            return self.send_bytes(page, "text/html; charset=utf-8")
        return super().do_GET()

    def send_bytes(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # the console is for build results


WATCH_READY_MS = 200


def preview(root: Path, settings: Path, content: Path, output: Path, port: int) -> None:
    """Build, serve and rebuild on change until interrupted (Ctrl-C)."""
    content, output = content.resolve(), output.resolve()
    built = build_in_subprocess(root, settings, content, output)
    if not built and not output.is_dir():
        output.mkdir(parents=True)  # nothing good to serve yet; serve once a build succeeds
    server = PreviewServer(output, port)
    server.build = int(built)
    server.start()
    announced = False
    try:
        # The watcher is set up when the loop starts: "Serving" is said only once it is (the
        # first, empty, yield comes after WATCH_READY_MS without a change), so that an edit made
        # as soon as the line appears is seen.
        for changes in watch(*watched_paths(root, content), yield_on_timeout=True,
                             rust_timeout=WATCH_READY_MS):
            if not announced:
                announced = True
                print(f"Serving {output} at {server.url} (rebuilds on change; Ctrl-C stops)",
                      flush=True)
            if not changes:
                continue
            names = sorted({Path(path).name for _, path in changes})
            print(f"Changed: {', '.join(names)}; rebuilding...", flush=True)
            if build_in_subprocess(root, settings, content, output):
                server.build += 1
                print(f"Rebuilt (build {server.build}).", flush=True)
            else:
                print("Rebuild failed (problems above); still serving the last good site.",
                      flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
