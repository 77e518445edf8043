"""A quiet static server on 127.0.0.1 for the built site, shared by `invoke screenshots` and the
tests. The search page's ES modules need http (not file://) and a JavaScript MIME type."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    # ES modules are only loaded when served with a JavaScript MIME type.
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".mjs": "text/javascript",
                      ".svg": "image/svg+xml"}

    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve(directory, handler_class=None, **handler_options):
    """Serve ``directory`` on a free 127.0.0.1 port while the block runs; yields the base URL."""
    handler = functools.partial(handler_class or StaticHandler, directory=str(directory),
                                **handler_options)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
