"""Shared parts of the reliability scripts (`outage-test`, `failover-test`): throwaway
PostgreSQL servers, a motcua server, and a load of kiosks and clerks that remembers
every write motcua acknowledged, so that afterwards each can be looked for.

Standard library only. Run as root, the PostgreSQL processes run as `postgres`.
"""
import datetime
import glob
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not found:
        sys.exit("PostgreSQL is not installed (apt-get install postgresql)")
    return found[-1]


def as_postgres(args, **kwargs):
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--"] + args
    return subprocess.run(args, check=True, timeout=120, **kwargs)


def workdir():
    work = tempfile.mkdtemp(prefix="motcua-reliability.")
    os.chmod(work, 0o755)
    if os.geteuid() == 0:
        shutil.chown(work, "postgres")
    return work


class Postgres:
    """One PostgreSQL server in a directory of its own."""

    def __init__(self, work, name, port=None):
        self.bin = pg_bin()
        self.data = os.path.join(work, name)
        self.port = port or free_port()
        self.socket_dir = work
        self.log = os.path.join(work, f"{name}.log")

    def init(self):
        as_postgres([f"{self.bin}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust",
                     "-E", "UTF8", "--locale=C.UTF-8"], stdout=subprocess.DEVNULL)

    def start(self):
        as_postgres([f"{self.bin}/pg_ctl", "-D", self.data, "-l", self.log, "-w", "-o",
                     f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1", "start"],
                    stdout=subprocess.DEVNULL)

    def stop(self, mode="fast"):
        subprocess.run((["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
                       + [f"{self.bin}/pg_ctl", "-D", self.data, "-m", mode, "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def psql(self, sql):
        out = as_postgres([f"{self.bin}/psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                           "-d", "postgres", "-At", "-c", sql], capture_output=True, text=True)
        return out.stdout.split()

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"


class Motcua:
    """A release motcua server."""

    def __init__(self, work, database_url, extra_env=None):
        self.bin = os.environ.get("MOTCUA_BIN", os.path.join(ROOT, "target", "release", "motcua"))
        if not os.access(self.bin, os.X_OK):
            sys.exit(f"{self.bin} is missing: cargo build --release --all-features")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.password = f"Quan-tri-{random.randint(1000, 9999)}-2026"
        self.env = dict(os.environ, DATABASE_URL=database_url, MOTCUA_BIND=f"127.0.0.1:{self.port}",
                        MOTCUA_ADMIN_PASSWORD=self.password,
                        MOTCUA_JWT_SECRET="reliability-test-secret-reliability-test",
                        MOTCUA_LOGIN_LIMIT_PER_IP="1000000", MOTCUA_LOGIN_LIMIT_PER_ACCOUNT="1000000",
                        MOTCUA_VOTE_REPEAT_GUARD_SECONDS="0", **(extra_env or {}))
        self.log = open(os.path.join(work, "motcua.log"), "ab")
        self.process = None

    def start(self):
        self.process = subprocess.Popen([self.bin, "serve"], env=self.env, stdout=self.log, stderr=self.log)
        for _ in range(300):
            if call(self.base, "GET", "/health")[0] == 200:
                return
            time.sleep(0.1)
        sys.exit("motcua did not start; see motcua.log")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=40)

    def recount(self):
        """`motcua recount`'s exit code: 0 when the dashboards' counters agreed."""
        return subprocess.run([self.bin, "recount"], env=self.env, stdout=self.log, stderr=self.log,
                              timeout=300).returncode


def call(base, method, path, body=None, bearer=None, timeout=5, headers=None):
    """(status, parsed body); status 0 when no answer came."""
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("content-type", "application/json")
    if bearer:
        req.add_header("authorization", "Bearer " + bearer)
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or "null")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or "null")
        except ValueError:
            return e.code, None
    except (OSError, ValueError):
        return 0, None


def expect(answer, status):
    if answer[0] != status:
        sys.exit(f"expected {status}, got {answer}")
    return answer[1]


class Load:
    """Kiosks casting votes and clerks receiving dossiers, as fast as motcua answers.

    A kiosk sends each vote until it is acknowledged (the vote's id makes a resend
    harmless), as the kiosk app does. A clerk sends each receipt with an
    `Idempotency-Key` until it is acknowledged, as the desk page does. Every
    acknowledged id is kept, with the time of every answer, to measure the outage.
    """

    def __init__(self, server, kiosks=4, clerks=2):
        self.server = server
        admin = expect(call(server.base, "POST", "/api/v1/auth/login",
                            {"username": "admin", "password": server.password}), 200)["access_token"]
        office = expect(call(server.base, "POST", "/api/v1/offices",
                             {"code": f"000.00.00.H{random.randint(10, 99)}", "name": "Tỉnh thử",
                              "level": "province"}, admin), 201)
        expect(call(server.base, "POST", "/api/v1/procedures",
                    {"code": "1.000948", "name": "Đăng ký khai sinh", "field": "Hộ tịch",
                     "deadline": {"value": 3, "unit": "working_days"}, "online_level": "full"}, admin), 201)
        expect(call(server.base, "POST", "/api/v1/users",
                    {"username": "clerk", "password": server.password, "full_name": "Nguyễn Văn A",
                     "role": "clerk", "office_id": office["id"]}, admin), 201)
        self.clerk_token = expect(call(server.base, "POST", "/api/v1/auth/login",
                                       {"username": "clerk", "password": server.password}), 200)["access_token"]
        self.kiosk_tokens = [expect(call(server.base, "POST", "/api/v1/kiosks",
                                         {"office_id": office["id"], "name": f"Máy {i}"}, admin), 201)["token"]
                             for i in range(kiosks)]
        self.clerks = clerks
        self.lock = threading.Lock()
        self.votes = []  # acknowledged vote ids
        self.dossiers = []  # acknowledged dossier ids
        self.answers = []  # (time, kind, ok)
        self.running = False
        self.threads = []

    def _note(self, kind, ok, ident=None):
        with self.lock:
            self.answers.append((time.monotonic(), kind, ok))
            if ok:
                (self.votes if kind == "vote" else self.dossiers).append(ident)

    def _kiosk(self, token):
        while self.running:
            vote = {"id": str(uuid.uuid4()), "rating": random.choice(["very_satisfied", "satisfied", "unsatisfied"]),
                    "cast_at": datetime.datetime.now(datetime.timezone.utc).isoformat()}
            while self.running:
                status, _ = call(self.server.base, "POST", "/api/v1/votes", vote, token)
                self._note("vote", status in (200, 201), vote["id"])
                if status in (200, 201):
                    break
                time.sleep(0.05)

    def _clerk(self):
        while self.running:
            key = str(uuid.uuid4())
            body = {"procedure_code": "1.000948", "channel": "in_person", "applicant": {"name": "Trần Thị Bình"}}
            while self.running:
                status, answer = call(self.server.base, "POST", "/api/v1/dossiers", body, self.clerk_token,
                                      headers={"Idempotency-Key": key})
                self._note("dossier", status == 201, answer and answer.get("id"))
                if status == 201:
                    break
                time.sleep(0.05)

    def start(self):
        self.running = True
        self.threads = [threading.Thread(target=self._kiosk, args=(t,)) for t in self.kiosk_tokens]
        self.threads += [threading.Thread(target=self._clerk) for _ in range(self.clerks)]
        for t in self.threads:
            t.start()

    def stop(self):
        self.running = False
        for t in self.threads:
            t.join()

    def first_success_after(self, moment, kind):
        with self.lock:
            times = [t for t, k, ok in self.answers if k == kind and ok and t >= moment]
        return min(times) - moment if times else None

    def check_stored(self, stored_votes, stored_dossiers):
        """(lost votes, lost dossiers, duplicated dossiers) against what is stored."""
        stored_votes, stored_dossiers = set(stored_votes), list(stored_dossiers)
        lost_votes = len(set(self.votes) - stored_votes)
        lost_dossiers = len(set(self.dossiers) - set(stored_dossiers))
        duplicates = len(stored_dossiers) - len(set(self.dossiers))
        return lost_votes, lost_dossiers, duplicates
