"""Crash check for .ci/run: every vote and receipt answered 2xx must survive `kill -9`,
and a receipt retried with its `Idempotency-Key` after the crash is filed once.

Phase `post SERVER_PID` registers an office and a kiosk, sends votes one by one and
records how many were acknowledged; then it sends receipts, each with its own key,
and kills the server with SIGKILL while they flow (so one is usually between its
commit and its answer). The caller restarts the server; phase `check` compares the
stored votes with the acknowledged ones, sends every unanswered receipt again with its
key, and checks that each key filed exactly one dossier.
"""
import datetime
import json
import os
import signal
import sys
import threading
import time
import urllib.request
import uuid

base, token, phase, state_file = sys.argv[1:5]


def call(method, path, body=None, bearer=token, headers=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None)
    req.add_header("authorization", "Bearer " + bearer)
    req.add_header("content-type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or "null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or "null")


def receipt(office_id, i):
    return {"procedure_code": "9.999001", "channel": "in_person", "office_id": office_id,
            "applicant": {"name": f"Nguyễn Văn Thử {i}"}}


def send_receipts(office_id, sent, acknowledged):
    """Sends receipts until the server stops answering."""
    i = 0
    while True:
        key = str(uuid.uuid4())
        sent.append(key)
        try:
            status, answer = call("POST", "/api/v1/dossiers", receipt(office_id, i), headers={"Idempotency-Key": key})
        except OSError:
            return
        if status != 201:
            return
        acknowledged[key] = answer["id"]
        i += 1


def stored_dossiers(office_id):
    ids, cursor = [], ""
    while True:
        status, page = call("GET", f"/api/v1/dossiers?office_id={office_id}&limit=200{cursor}")
        assert status == 200, page
        ids += [d["id"] for d in page["items"]]
        if not page.get("next_cursor"):
            return ids
        cursor = f"&cursor={page['next_cursor']}"


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
    print(f"{acknowledged} votes acknowledged")
    status, procedure = call("POST", "/api/v1/procedures", {"code": "9.999001", "name": "Thủ tục thử", "field": "Thử",
                                                            "deadline": {"value": 3, "unit": "working_days"}, "online_level": "partial"})
    assert status == 201, procedure
    sent, receipts = [], {}
    sender = threading.Thread(target=send_receipts, args=(province["id"], sent, receipts))
    sender.start()
    time.sleep(1.5)
    os.kill(int(sys.argv[5]), signal.SIGKILL)
    sender.join()
    print(f"kill -9 while receipts flowed: {len(sent)} sent, {len(receipts)} acknowledged")
    json.dump({"office_id": province["id"], "acknowledged": acknowledged, "sent": sent, "receipts": receipts},
              open(state_file, "w"))
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
    # Every receipt that got no answer is sent again with its key, as the desk does.
    sent, receipts = saved["sent"], saved["receipts"]
    for i, key in enumerate(sent):
        if key not in receipts:
            status, answer = call("POST", "/api/v1/dossiers", receipt(saved["office_id"], i), headers={"Idempotency-Key": key})
            assert status == 201, answer
            receipts[key] = answer["id"]
    stored = stored_dossiers(saved["office_id"])
    print(f"after kill -9 and retries: {len(stored)} dossiers stored for {len(sent)} keys")
    assert sorted(stored) == sorted(receipts.values()), "a receipt was lost or filed twice"
