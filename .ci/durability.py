"""Crash check for .ci/run: every vote answered 2xx must survive `kill -9`.

Phase `post` registers an office and a kiosk, sends votes one by one and records how
many were acknowledged; the caller then kills the server with SIGKILL and restarts it;
phase `check` compares the stored count with the acknowledged one.
"""
import datetime
import json
import sys
import urllib.request
import uuid

base, token, phase, state_file = sys.argv[1:5]


def call(method, path, body=None, bearer=token):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None)
    req.add_header("authorization", "Bearer " + bearer)
    req.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or "null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or "null")


if phase == "post":
    status, province = call("POST", "/api/v1/offices", {"code": "000.00.00.H99", "name": "Tỉnh thử", "level": "province"})
    assert status == 201, province
    status, kiosk = call("POST", "/api/v1/kiosks", {"office_id": province["id"], "name": "Máy thử"})
    assert status == 201, kiosk
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=2)
    acknowledged = 0
    for i in range(200):
        cast = (start + datetime.timedelta(seconds=10 * i)).isoformat()
        status, _ = call("POST", "/api/v1/votes", {"id": str(uuid.uuid4()), "rating": "satisfied", "cast_at": cast}, kiosk["token"])
        acknowledged += status in (200, 201)
    json.dump({"office_id": province["id"], "acknowledged": acknowledged}, open(state_file, "w"))
    print(f"{acknowledged} votes acknowledged")
else:
    saved = json.load(open(state_file))
    # The votes were cast over the last two hours; the service's days are local (UTC+7).
    today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)).date()
    since = today - datetime.timedelta(days=1)
    status, report = call("GET", f"/api/v1/stats/satisfaction?office_id={saved['office_id']}&from={since}&to={today}")
    assert status == 200, report
    stored = report["total"]["total"]
    print(f"after kill -9: {stored} stored, {saved['acknowledged']} acknowledged")
    assert stored == saved["acknowledged"] == 200, "an acknowledged vote was lost"
