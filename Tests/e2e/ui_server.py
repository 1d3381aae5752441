"""A `sluice serve` that can come back on the same port (the browser keeps its page and
reconnects to the same origin) and can run with extra environment variables.

Same process handling as `server.Server`; only the start differs."""

import os
import select
import subprocess
import threading
import time

from server import Server
from support import BIN, VENDORS


class UIServer(Server):
    def __init__(self, env=None, **kw):
        super().__init__(**kw)
        self.extra_env = dict(env or {})

    def start(self, timeout=20, port=None):
        """Starts on `port` (default: the previous run's port, else a free one)."""
        port = port if port is not None else (self.port or 0)
        self._stderr = open(self.stderr_path, "ab")
        env = dict(os.environ)
        env.pop("SLUICE_DB", None)
        env.pop("SLUICE_VENDORS", None)
        env.update(self.extra_env)
        deadline = time.monotonic() + timeout
        while True:
            self.proc = subprocess.Popen(
                [BIN, "serve", "--port", str(port), "--db", self.db, "--vendors", VENDORS],
                stdout=subprocess.PIPE, stderr=self._stderr, cwd=self.dir, env=env)
            buf = b""
            fd = self.proc.stdout.fileno()
            while time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], 0.2)
                if ready:
                    chunk = os.read(fd, 4096)
                    if not chunk:
                        break
                    buf += chunk
                    for line in buf.decode("utf-8", "replace").splitlines():
                        if line.startswith("listening on http://127.0.0.1:"):
                            self.port = int(line.rsplit(":", 1)[1])
                            threading.Thread(target=self._drain, daemon=True).start()
                            return self
                elif self.proc.poll() is not None:
                    break
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.proc.stdout.close()
            # The old socket may linger a moment after a restart: try the same port again.
            if port and time.monotonic() < deadline:
                time.sleep(0.3)
                continue
            out = buf.decode("utf-8", "replace")
            self.kill()
            raise AssertionError("sluice serve did not print its address: stdout %r stderr %r"
                                 % (out, self.stderr()[-3000:]))
