"""What the browser tests share: a motcua server they start and stop, the API calls
they make to set it up and check it, and a Chromium driven by Playwright."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN_PASSWORD = "Kiem-thu-trinh-duyet-2026"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The release binary on a SQLite file of its own, restartable on the same data."""

    def __init__(self, binary, **env):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="motcua-browser-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": os.path.join(self.dir, "motcua.db"),
            "MOTCUA_BIND": f"127.0.0.1:{self.port}",
            "MOTCUA_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "MOTCUA_LOGIN_LIMIT_PER_IP": "1000000",
            "MOTCUA_LOGIN_LIMIT_PER_ACCOUNT": "1000000",
            **env,
        }
        self.process = None
        self.log = open(os.path.join(self.dir, "server.log"), "ab")

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "serve"], env=self.env, stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(self.url + "/health", timeout=1).read()
                return
            time.sleep(0.05)
        raise RuntimeError("the server did not start; see " + self.log.name)

    def stop(self, sig=signal.SIGTERM):
        if self.process:
            self.process.send_signal(sig)
            self.process.wait(timeout=60)
            self.process = None

    def api(self, method, path, token=None, body=None, expect=None):
        """Calls /api/v1; returns (status, parsed JSON or None)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + "/api/v1" + path, data=data, method=method)
        if data is not None:
            request.add_header("content-type", "application/json")
        if token:
            request.add_header("authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        parsed = json.loads(raw) if raw else None
        if expect is not None and status != expect:
            raise AssertionError(f"{method} {path}: {status} {parsed}, expected {expect}")
        return status, parsed

    def login(self):
        _, body = self.api(
            "POST", "/auth/login", body={"username": "admin", "password": ADMIN_PASSWORD}, expect=200
        )
        return body["access_token"]


def browser(playwright):
    return playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
