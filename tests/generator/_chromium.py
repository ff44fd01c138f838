"""One headless Chromium for many pages, driven over the DevTools protocol on a pipe.

``chromium --print-to-pdf`` starts a browser per file (about a second each); the print
tests load every sheet into one browser instead: ``Browser.pdf(path)`` prints a page to
PDF bytes as the print dialog would (Letter, the sheet's own @page margins), and
``Browser.measure(path, script)`` runs a script in it under the print media type at the
printable width. Standard library only; the browser is Debian's ``chromium``.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
from pathlib import Path
from typing import Optional

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find() -> Optional[str]:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _high(fds):
    """The pipe's descriptors moved above 10, so that putting them on 3 and 4 in the
    child cannot overwrite one with the other."""
    moved = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in fds)
    for fd in fds:
        os.close(fd)
    return moved


class BrowserError(Exception):
    pass


class Browser:
    def __init__(self, executable: str, timeout: float = 60.0, stderr=subprocess.DEVNULL):
        # fd 3: the browser reads commands; fd 4: it writes replies and events (NUL-separated)
        to_browser_r, self._to_browser = _high(os.pipe())
        self._from_browser, from_browser_w = _high(os.pipe())
        self.timeout = timeout
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--allow-file-access-from-files", "about:blank"],
            close_fds=False, stdin=subprocess.DEVNULL,  # 3 and 4 survive; Python opens all else non-inheritable
            stdout=subprocess.DEVNULL, stderr=stderr,
            preexec_fn=lambda: (os.dup2(to_browser_r, 3), os.dup2(from_browser_w, 4)),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._reader = os.fdopen(self._from_browser, "rb", buffering=0)
        self._buffer = b""
        self._next_id = 0
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)

    # --- the protocol ---
    def _send(self, message: dict) -> None:
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")

    def _receive(self) -> dict:
        while b"\0" not in self._buffer:
            ready, _w, _x = select.select([self._reader], [], [], self.timeout)
            if not ready:
                raise BrowserError(f"chromium did not answer within {self.timeout:g} s")
            chunk = self._reader.read(1 << 20)
            if not chunk:
                raise BrowserError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: bool = False, **params):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self._send(message)
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            # an event (page loading, console messages): not needed

    def wait_for(self, event: str) -> dict:
        while True:
            reply = self._receive()
            if reply.get("method") == event:
                return reply.get("params", {})

    # --- pages ---
    def load(self, path: Path) -> None:
        self.call("Page.navigate", session=True, url=Path(path).resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        # fonts (MathML's, the Korean face) must be in before anything is measured
        self.evaluate("document.fonts.ready.then(() => true)")

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", session=True, expression=expression,
                           awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def pdf(self, path: Path) -> bytes:
        """The page printed as a teacher's print dialog does: Letter, the sheet's margins."""
        self.call("Emulation.setEmulatedMedia", session=True, media="")
        self.load(path)
        data = self.call("Page.printToPDF", session=True, paperWidth=8.5, paperHeight=11,
                         preferCSSPageSize=True, printBackground=False,
                         displayHeaderFooter=False)["data"]
        return base64.b64decode(data)

    def measure(self, path: Path, script: str, width_px: int):
        """Run ``script`` (an expression) on the page laid out for print at ``width_px``."""
        self.call("Emulation.setEmulatedMedia", session=True, media="print")
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width_px,
                  height=1000, deviceScaleFactor=1, mobile=False)
        self.load(path)
        try:
            return self.evaluate(script)
        finally:
            self.call("Emulation.clearDeviceMetricsOverride", session=True)

    def close(self) -> None:
        try:
            self._send({"id": self._next_id + 1, "method": "Browser.close", "params": {}})
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.close()
        os.close(self._to_browser)
