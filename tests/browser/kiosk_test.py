"""The kiosk app in a real headless Chromium, against the release binary.

    python3 tests/browser/kiosk_test.py BINARY SCREENSHOT_DIR

Every check prints a line; the first failure raises and exits non-zero.
"""

import datetime
import signal
import sys
import threading
import time
from collections import Counter

from playwright.sync_api import sync_playwright

import axe
from harness import Server, browser, wait_until

PORTRAIT = {"width": 800, "height": 1280}
LANDSCAPE = {"width": 1280, "height": 800}
RATINGS = ["very_satisfied", "satisfied", "neutral", "unsatisfied"]

# In the page: how many entries each of the kiosk's stores holds.
COUNT_STORES = """async () => {
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open("motcua-kiosk");
    r.onsuccess = () => ok(r.result);
    r.onerror = () => ko(r.error);
  });
  const count = (name) => new Promise((ok) => {
    const r = db.transaction(name).objectStore(name).count();
    r.onsuccess = () => ok(r.result);
  });
  const counts = { queue: await count("queue"), rejected: await count("rejected") };
  const token = await new Promise((ok) => {
    const r = db.transaction("settings").objectStore("settings").get("token");
    r.onsuccess = () => ok(r.result ?? null);
  });
  db.close();
  return { ...counts, token };
}"""

# In the page: overwrite the queue's entry number `index` with something that is not a vote.
CORRUPT_ENTRY = """async (index) => {
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open("motcua-kiosk");
    r.onsuccess = () => ok(r.result);
    r.onerror = () => ko(r.error);
  });
  const store = db.transaction("queue", "readwrite").objectStore("queue");
  await new Promise((ok) => {
    store.getAllKeys().onsuccess = (e) => {
      store.put({ id: "not-a-uuid", rating: "delighted", cast_at: "yesterday" }, e.target.result[index]).onsuccess = ok;
    };
  });
  db.close();
}"""

# In the page: queue `n` votes as the app would, cast `gap` seconds apart, ending now.
QUEUE_VOTES = """async ([n, gap]) => {
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open("motcua-kiosk");
    r.onsuccess = () => ok(r.result);
    r.onerror = () => ko(r.error);
  });
  const tx = db.transaction("queue", "readwrite", { durability: "strict" });
  const ratings = ["very_satisfied", "satisfied", "neutral", "unsatisfied"];
  const now = Date.now();
  for (let i = 0; i < n; i++) {
    tx.objectStore("queue").add({
      id: crypto.randomUUID(),
      rating: ratings[i % 4],
      cast_at: new Date(now - (n - i) * gap * 1000).toISOString(),
    });
  }
  await new Promise((ok) => (tx.oncomplete = ok));
  db.close();
}"""


def check(what):
    print(f"ok - {what}", flush=True)


class Kiosk:
    """The kiosk page, as a test sees it."""

    def __init__(self, page):
        self.page = page
        self.errors = []
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on(
            "console",
            lambda m: "Content Security Policy" in m.text and self.errors.append(f"CSP: {m.text}"),
        )

    def faces(self):
        """The ratings on the voting screen, in order (the office's faces)."""
        self.wait_screen("vote")
        return [b.get_attribute("data-rating") for b in self.page.locator("button[data-rating]").all()]

    def screen(self):
        return self.page.locator("#app").get_attribute("data-screen")

    def wait_screen(self, name, timeout=15):
        wait_until(lambda: self.screen() == name, timeout, f"the {name} screen")

    def tap(self, rating, tally):
        """One citizen's vote, through the thank-you screen and back."""
        self.wait_screen("vote")
        self.page.click(f'button[data-rating="{rating}"]')
        if rating == "unsatisfied":
            self.wait_screen("reason")
            self.page.locator("button[data-reason]").first.click()
        self.wait_screen("thanks")
        tally[rating] += 1
        self.wait_screen("vote")

    def stores(self):
        return self.page.evaluate(COUNT_STORES)

    def status(self):
        self.page.evaluate("location.hash = '#status'")
        self.wait_screen("status")
        fields = {}
        for dd in self.page.locator("dd[data-field]").all():
            fields[dd.get_attribute("data-field")] = dd.inner_text()
        return fields

    def leave_status(self):
        self.page.click("#status-back")

    def no_errors(self):
        assert not self.errors, self.errors


class Site:
    """A province with one commune per scenario, each with its own kiosk."""

    def __init__(self, server):
        self.server = server
        self.admin = server.login()
        _, self.province = server.api(
            "POST",
            "/offices",
            self.admin,
            {"code": "000.00.00.H99", "name": "UBND tỉnh Thử Nghiệm", "level": "province"},
            expect=201,
        )
        self.communes = 0

    def commune(self):
        self.communes += 1
        _, office = self.server.api(
            "POST",
            "/offices",
            self.admin,
            {
                "code": f"H99.{self.communes:02d}",
                "name": f"UBND xã Thử Nghiệm {self.communes}",
                "level": "commune",
                "parent_id": self.province["id"],
            },
            expect=201,
        )
        return office

    def kiosk(self, office):
        _, body = self.server.api(
            "POST", "/kiosks", self.admin, {"office_id": office["id"], "name": "Quầy 1"}, expect=201
        )
        return body

    def votes(self, office):
        """The office's satisfaction report: counts by rating."""
        today = datetime.date.today()
        period = f"from={today - datetime.timedelta(days=2)}&to={today + datetime.timedelta(days=1)}"
        _, report = self.server.api(
            "GET", f"/stats/satisfaction?office_id={office['id']}&{period}", self.admin, expect=200
        )
        counts = report["total"]["counts"]
        return Counter({r: counts[r] for r in RATINGS if counts[r]})


def open_kiosk(context, server, link):
    page = context.new_page()
    kiosk = Kiosk(page)
    page.goto(server.url + link)
    kiosk.wait_screen("vote")
    # Polled from here: Playwright's own polling evaluates its predicate with eval,
    # which the page's Content-Security-Policy refuses once the first check fails.
    wait_until(
        lambda: page.evaluate("navigator.serviceWorker.controller !== null"),
        15,
        "the Service Worker to control the page",
    )
    return kiosk


def online_then_offline(server, site, context, shots):
    """20 taps online; then the server goes away: 30 taps, a reload, 10 taps; it comes back."""
    office = site.commune()
    registered = site.kiosk(office)
    assert registered["pairing_link"].startswith("/kiosk/#pair=mck_"), registered["pairing_link"]
    kiosk = open_kiosk(context, server, registered["pairing_link"])
    page = kiosk.page
    assert "#" not in page.url, f"the token stays in the address bar: {page.url}"
    assert kiosk.stores()["token"] == registered["token"]
    check("the pairing link pairs the kiosk, the token is in IndexedDB and gone from the address bar")
    assert page.locator("#office-name").inner_text() == office["name"]

    faces = kiosk.faces()
    tally = Counter()
    for i in range(20):
        kiosk.tap(faces[i % len(faces)], tally)
    wait_until(lambda: site.votes(office) == tally, 30, "the 20 votes in the report")
    check(f"20 taps online are exactly 20 votes in the satisfaction report: {dict(tally)}")

    server.stop()
    for i in range(30):
        kiosk.tap(faces[(i * 2) % len(faces)], tally)
    page.reload()
    kiosk.wait_screen("vote")
    assert page.locator("#office-name").inner_text() == office["name"]
    check("with the server down, the page reloads from the Service Worker and shows the office")
    for i in range(10):
        kiosk.tap(faces[i % len(faces)], tally)
    status = kiosk.status()
    assert status["pending"] == "40", status
    shots.take(page, "status-offline")
    check(f"40 taps offline wait in the queue; the operator view says so: {status}")
    kiosk.leave_status()

    server.start()
    page.evaluate("dispatchEvent(new Event('online'))")
    wait_until(lambda: kiosk.stores()["queue"] == 0, 90, "the queue to drain")
    assert site.votes(office) == tally, (site.votes(office), tally)
    status = kiosk.status()
    assert status["pending"] == "0" and status["rejected"] == "0", status
    check("the server is back: exactly 40 more, 60 in all, no duplicate; the operator view shows 0 pending")
    kiosk.leave_status()
    [listed] = server.api("GET", f"/kiosks?office_id={office['id']}", site.admin, expect=200)[1]
    sync = listed["sync"]
    assert sync["queue_depth"] == 0 and sync["app_version"] == status["version"], sync
    assert not sync["stale"] and not sync["backed_up"], sync
    check(f"the kiosk's heartbeat reached the server: GET /kiosks shows {sync}")
    kiosk.no_errors()
    return kiosk, office


def killed_mid_batch(server, site, context):
    """3,000 votes queued while the server is down; once it is back and the kiosk is
    sending batch after batch, it is SIGKILLed (a batch is then almost always in flight)."""
    office = site.commune()
    kiosk = open_kiosk(context, server, site.kiosk(office)["pairing_link"])
    server.stop()
    kiosk.page.evaluate(QUEUE_VOTES, [3000, 2])
    killed_at = []

    def kill_once_delivering():
        while True:
            counted = sum(site.votes(office).values())
            if counted > 0:
                server.stop(signal.SIGKILL)
                killed_at.append(counted)
                return
            time.sleep(0.01)

    server.start()
    killer = threading.Thread(target=kill_once_delivering)
    killer.start()
    kiosk.page.evaluate("dispatchEvent(new Event('online'))")
    while killer.is_alive():
        kiosk.page.wait_for_timeout(100)
    left = kiosk.stores()["queue"]
    # All 3,000 may still be queued: the server committed a batch and died before the
    # kiosk read its answer. The replay below must then not count that batch twice.
    assert 0 < left <= 3000, left
    server.start()
    kiosk.page.evaluate("dispatchEvent(new Event('online'))")
    wait_until(lambda: kiosk.stores()["queue"] == 0, 120, "the queue to drain")
    total = sum(site.votes(office).values())
    assert total == 3000, total
    check(
        f"SIGKILL while delivering ({killed_at[0]} counted, {left} still queued): "
        "after the restart every vote is counted once (3000)"
    )
    kiosk.no_errors()


def corrupted_entry(server, site, context):
    office = site.commune()
    kiosk = open_kiosk(context, server, site.kiosk(office)["pairing_link"])
    context.set_offline(True)
    faces = kiosk.faces()
    tally = Counter()
    for i in range(3):
        kiosk.tap(faces[i % len(faces)], tally)
    kiosk.page.evaluate(CORRUPT_ENTRY, 1)
    tally[faces[1 % len(faces)]] -= 1
    context.set_offline(False)
    wait_until(lambda: kiosk.stores()["queue"] == 0, 60, "the queue to drain")
    stores = kiosk.stores()
    assert stores["rejected"] == 1, stores
    assert site.votes(office) == +tally, (site.votes(office), tally)
    status = kiosk.status()
    assert status["rejected"] == "1" and status["pending"] == "0", status
    check("a corrupted queue entry lands in 'rejected' and the two around it are delivered")
    kiosk.leave_status()
    kiosk.no_errors()


def revoked(server, site, kiosk, office, shots):
    """The kiosk of the first scenario is revoked: pairing screen, queue kept, then re-paired."""
    kiosk_id = next(
        k["id"] for k in server.api("GET", f"/kiosks?office_id={office['id']}", site.admin)[1]
    )
    server.api("DELETE", f"/kiosks/{kiosk_id}", site.admin, expect=204)
    before = site.votes(office)
    kiosk.page.context.set_offline(True)
    tally = Counter()
    kiosk.tap("satisfied", tally)
    kiosk.page.context.set_offline(False)
    kiosk.page.evaluate("dispatchEvent(new Event('online'))")
    kiosk.wait_screen("pair", timeout=30)
    stores = kiosk.stores()
    assert stores["queue"] == 1 and stores["token"] is None, stores
    assert "1" in kiosk.page.locator("#pair-queue").inner_text()
    shots.take(kiosk.page, "pairing-revoked")
    check("a revoked kiosk shows the pairing screen and keeps its queued vote")

    fresh = site.kiosk(office)
    kiosk.page.fill("#pair-token", fresh["token"])
    kiosk.page.click("#screen-pair button[type=submit]")
    kiosk.wait_screen("vote")
    wait_until(lambda: kiosk.stores()["queue"] == 0, 30, "the kept vote to be sent")
    assert site.votes(office) == before + tally
    check("typing a new token pairs it again, and the kept vote is delivered")
    kiosk.no_errors()


def dossier_code(server, site, context, shots):
    """A citizen types the receipt's code: the vote counts for the dossier's procedure.
    A mistyped code does not lose the vote: it counts for the office alone."""
    office = site.commune()
    _, procedure = server.api(
        "POST",
        "/procedures",
        site.admin,
        {
            "code": "9.999101",
            "name": "Thủ tục thử trên máy đánh giá",
            "field": "Thử",
            "deadline": {"value": 3, "unit": "working_days"},
            "online_level": "partial",
        },
        expect=201,
    )
    _, dossier = server.api(
        "POST",
        "/dossiers",
        site.admin,
        {
            "procedure_code": "9.999101",
            "channel": "in_person",
            "office_id": office["id"],
            "applicant": {"name": "Lê Thị Thử"},
        },
        expect=201,
    )
    kiosk = open_kiosk(context, server, site.kiosk(office)["pairing_link"])
    page = kiosk.page

    def rate_with_code(code, rating):
        page.click("#code-open")
        kiosk.wait_screen("code")
        page.fill("#code-input", code)
        page.click("#code-form button[type=submit]")
        kiosk.wait_screen("vote")
        assert code.upper() in page.locator("#code-banner").inner_text()
        kiosk.tap(rating, Counter())

    page.click("#code-open")
    kiosk.wait_screen("code")
    page.fill("#code-input", "not a code")
    page.click("#code-form button[type=submit]")
    assert "H56.01-261124-0001" in page.locator("#code-error").inner_text()
    shots.take(page, "code-invalid")
    page.click("#code-cancel")
    rate_with_code(dossier["code"].lower(), "satisfied")
    assert page.locator("#code-banner").is_hidden(), "the next citizen starts without a code"
    rate_with_code(dossier["code"].split("-")[0] + "-000101-9999", "neutral")
    wait_until(lambda: kiosk.stores()["queue"] == 0, 30, "the queue to drain")
    assert kiosk.stores()["rejected"] == 0, kiosk.stores()
    assert site.votes(office) == Counter({"satisfied": 1, "neutral": 1}), site.votes(office)
    today = datetime.date.today()
    _, by_procedure = server.api(
        "GET",
        f"/stats/satisfaction?office_id={office['id']}&group_by=procedure"
        f"&from={today - datetime.timedelta(days=2)}&to={today + datetime.timedelta(days=1)}",
        site.admin,
        expect=200,
    )
    rows = {g["key"]: g["counts"]["satisfied"] for g in by_procedure["groups"]}
    assert rows.get(procedure["id"]) == 1, by_procedure["groups"]
    check("a typed receipt code ties the vote to its procedure; a mistyped one still counts for the office")
    kiosk.no_errors()


class Shots:
    def __init__(self, directory):
        self.directory = directory

    def take(self, page, name):
        page.screenshot(path=f"{self.directory}/kiosk-{name}.png")


def screens(server, site, context, shots, axe_source):
    """Every screen in both orientations: screenshots and axe-core."""
    office = site.commune()
    kiosk = open_kiosk(context, server, site.kiosk(office)["pairing_link"])
    page = kiosk.page
    findings = []

    def look(name):
        for orientation, size in (("landscape", LANDSCAPE), ("portrait", PORTRAIT)):
            page.set_viewport_size(size)
            shots.take(page, f"{name}-{orientation}")
            findings.extend(f"{name} ({orientation}): {v}" for v in axe.violations(page, axe_source))

    look("vote")
    page.click("#code-open")
    kiosk.wait_screen("code")
    look("code")
    page.click("#code-cancel")
    kiosk.wait_screen("vote")
    page.click("#lang")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#question").inner_text() == "How satisfied are you with our service?"
    assert page.locator("#lang").inner_text() == "Tiếng Việt"
    assert "Unsatisfied" in page.locator('button[data-rating="unsatisfied"]').inner_text()
    look("vote-en")
    page.click('button[data-rating="unsatisfied"]')
    kiosk.wait_screen("reason")
    look("reason-en")
    page.click("#reason-skip")
    kiosk.wait_screen("thanks")
    page.set_viewport_size(LANDSCAPE)
    shots.take(page, "thanks-landscape")
    findings.extend(f"thanks: {v}" for v in axe.violations(page, axe_source))
    kiosk.wait_screen("vote")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("#lang").inner_text() == "English"
    check("the English switch translates the screen; after a vote the next citizen gets Vietnamese")
    page.click('button[data-rating="unsatisfied"]')
    kiosk.wait_screen("reason")
    look("reason")
    page.locator("button[data-reason]").first.click()
    kiosk.wait_screen("thanks")
    kiosk.wait_screen("vote")
    page.set_viewport_size(LANDSCAPE)
    box = page.locator("#office-name").bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 10)
    page.mouse.down()
    page.wait_for_timeout(3300)
    page.mouse.up()
    kiosk.wait_screen("status", timeout=2)
    check("holding the office name for 3 s opens the operator view")
    look("status")
    kiosk.leave_status()
    assert not findings, "\n".join(findings)
    check("axe-core (WCAG 2.2 AA, targets of at least 48 px) finds nothing on any screen, either orientation")
    kiosk.no_errors()


def pairing_screen(server, playwright_browser, shots, axe_source):
    context = playwright_browser.new_context(viewport=LANDSCAPE)
    page = context.new_page()
    kiosk = Kiosk(page)
    page.goto(server.url + "/kiosk/")
    kiosk.wait_screen("pair")
    findings = []
    for orientation, size in (("landscape", LANDSCAPE), ("portrait", PORTRAIT)):
        page.set_viewport_size(size)
        shots.take(page, f"pairing-{orientation}")
        findings.extend(axe.violations(page, axe_source))
    page.fill("#pair-token", "mck_not-a-real-token")
    page.click("#screen-pair button[type=submit]")
    wait_until(lambda: page.locator("#pair-error").inner_text() != "", 15, "the refusal")
    assert kiosk.stores()["token"] is None
    assert not findings, findings
    check("without a token the pairing screen shows; a wrong token is refused and not kept")
    kiosk.no_errors()
    context.close()


def main():
    binary, shot_dir = sys.argv[1], sys.argv[2]
    shots = Shots(shot_dir)
    axe_source = axe.source()
    server = Server(binary, MOTCUA_VOTE_REPEAT_GUARD_SECONDS="1")
    server.start()
    try:
        site = Site(server)
        with sync_playwright() as p:
            chromium = browser(p)
            # Each context is a tablet of its own: its own IndexedDB and Service Worker.
            pairing_screen(server, chromium, shots, axe_source)
            with chromium.new_context(viewport=LANDSCAPE) as context:
                screens(server, site, context, shots, axe_source)
            with chromium.new_context(viewport=LANDSCAPE) as context:
                kiosk, office = online_then_offline(server, site, context, shots)
                revoked(server, site, kiosk, office, shots)
            with chromium.new_context(viewport=LANDSCAPE) as context:
                dossier_code(server, site, context, shots)
            for scenario in (corrupted_entry, killed_mid_batch):
                with chromium.new_context(viewport=LANDSCAPE) as context:
                    scenario(server, site, context)
            chromium.close()
    finally:
        server.stop()
    print("kiosk browser tests passed")


if __name__ == "__main__":
    main()
