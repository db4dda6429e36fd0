"""The system's Chromium and a folder served on 127.0.0.1: what the browser tests and the book's printing share.

tests/harness.py (the browser tests) and tools/pdf.py (``make pdf``) both drive the
system's Chromium through Playwright, never a browser that Playwright downloads, over
the built site served from this machine only, and wait for a page the same way (SETTLE).
"""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# Debian's chromium first; a Chrome also works (GitHub's runners have one).
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


# Waits until a loaded page is ready to be read or printed: its fonts loaded, every image loaded (or
# failed), then two frames drawn; at most `ms` milliseconds. Resolves to whether it was ready in time.
# (The maths needs no wait: it is typeset at build time.) page.evaluate(SETTLE) or (SETTLE, ms).
# Not a default parameter (`ms = 20000`): page.evaluate(SETTLE) passes null, not undefined, and a
# null limit made it give up at once, without waiting for anything.
SETTLE = """async (ms) => {
  ms = ms ?? 20000;
  const ready = (async () => {
    await document.fonts.ready;
    await Promise.all([...document.images].filter(i => !i.complete)
      .map(i => new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    return true;
  })();
  return Promise.race([ready, new Promise(r => setTimeout(() => r(false), ms))]);
}"""


def chromium_executable() -> str | None:
    """$CHROMIUM if set (only it), else the first of CHROMIUM_CANDIDATES found."""
    chosen = os.environ.get("CHROMIUM")
    for candidate in (chosen,) if chosen else CHROMIUM_CANDIDATES:
        path = candidate and (candidate if os.path.isabs(candidate) else shutil.which(candidate))
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(folder: Path):
    """Serve folder on 127.0.0.1 (a free port) from a thread; yield the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
