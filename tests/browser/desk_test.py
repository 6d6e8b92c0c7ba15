"""The desk and dashboard pages in headless Chromium, against the release binary.

    python3 tests/browser/desk_test.py target/release/motcua SCREENSHOT_DIR

A clerk receives a dossier, prints its receipt (two A4 copies) and takes it to the end;
a manager finds it counted on the dashboard, drills down province → district → commune
with the page's numbers equal to the JSON reports', and downloads the .xlsx. axe-core
checks every page; any console error or CSP report fails the test, apart from the
answers a scenario provokes on purpose (a 422, a 409, a 404).
"""

import csv
import datetime
import io
import re
import sys
import urllib.request

import openpyxl
from playwright.sync_api import sync_playwright

import axe
from harness import Server, browser, wait_until

DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PASSWORD = "Kiem-thu-ban-tiep-nhan-2026"


def check(what):
    print(f"ok - {what}", flush=True)


class Site:
    """A province, a district, a commune, a clerk, a manager and one procedure."""

    def __init__(self, server):
        self.server = server
        self.admin = server.login()

        def office(code, name, level, parent=None):
            body = {"code": code, "name": name, "level": level}
            if parent:
                body["parent_id"] = parent["id"]
            return server.api("POST", "/offices", self.admin, body, expect=201)[1]

        self.province = office("000.00.00.H98", "UBND tỉnh Thử Nghiệm", "province")
        self.district = office("H98.01", "UBND huyện Thử Nghiệm", "district", self.province)
        self.commune = office("H98.01.01", "UBND xã Thử Nghiệm", "commune", self.district)
        server.api(
            "POST",
            "/procedures",
            self.admin,
            {"code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch",
             "deadline": {"value": 3, "unit": "working_days"}, "online_level": "full"},
            expect=201,
        )
        for username, role, office_row in (
            ("hoa.canbo", "clerk", self.commune),
            ("lan.quanly", "manager", self.province),
        ):
            server.api(
                "POST",
                "/users",
                self.admin,
                {"username": username, "password": PASSWORD, "full_name": f"Cán bộ {username}",
                 "role": role, "office_id": office_row["id"]},
                expect=201,
            )

    def get(self, path):
        return self.server.api("GET", path, self.admin, expect=200)[1]


class Page:
    """A tab of the app, collecting every console error and page error."""

    def __init__(self, context, server):
        self.page = context.new_page()
        self.server = server
        self.errors = []
        self.expected = []
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("console", self.console)

    def console(self, message):
        if message.type != "error":
            return
        for i, status in enumerate(self.expected):
            if f"status of {status}" in message.text:
                del self.expected[i]
                return
        self.errors.append(f"console: {message.text}")

    def expect_failure(self, status):
        """The next failed answer with this status is the scenario's own doing."""
        self.expected.append(status)

    def view(self, name, timeout=15_000):
        self.page.wait_for_selector(f'main[data-view="{name}"]', timeout=timeout)

    def login(self, username):
        self.page.goto(self.server.url + "/app/")
        self.view("login")
        self.page.fill("#username", username)
        self.page.fill("#password", PASSWORD)
        self.page.press("#password", "Enter")

    def no_errors(self):
        assert not self.errors, self.errors


class Looks:
    """Screenshots (for a person to look at) and axe-core (WCAG 2.2 AA) of each page."""

    def __init__(self, directory, axe_source):
        self.directory = directory
        self.axe_source = axe_source
        self.findings = []

    def __call__(self, tab, name, full_page=True):
        tab.page.screenshot(path=f"{self.directory}/desk-{name}.png", full_page=full_page)
        for finding in axe.violations(tab.page, self.axe_source, min_size=24):
            self.findings.append(f"{name}: {finding}")

    def clean(self):
        assert not self.findings, "\n".join(self.findings)


def clerk_flow(server, site, context, looks):
    """Login, receive with a field error first, the receipt, then every step to the end."""
    tab = Page(context, server)
    page = tab.page
    tab.login("hoa.canbo")
    tab.view("work")
    token = page.evaluate("JSON.parse(sessionStorage.getItem('motcua.session')).token")
    assert token and page.evaluate("localStorage.length === 0 || !Object.values({...localStorage}).some((v) => v.includes('eyJ'))")
    looks(tab, "work")
    check("a clerk lands on the desk; the token is in sessionStorage, not localStorage")

    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search"
    page.click('nav a[href="/app/receive"]')
    tab.view("receive")
    page.fill("#procedure", "khai sinh")
    page.wait_for_selector('.match[data-code="1.001193"]')
    page.press("#procedure", "Enter")
    wait_until(lambda: page.evaluate("document.activeElement.id === 'name'"), 10, "the name field to have the focus")
    page.fill("#name", "Nguyễn Thị Hoà")
    page.fill("#id_number", "07920100123")
    page.fill("#phone", "0912345678")
    page.fill("#address", "12 Trần Phú, xã Thử Nghiệm")
    tab.expect_failure(422)
    page.press("#phone", "Enter")
    page.wait_for_selector('#id_number[aria-invalid="true"]')
    assert "12 chữ số" in page.inner_text("#id_number-error")
    looks(tab, "receive-invalid")
    before = site.get(f"/dossiers?office_id={site.commune['id']}")["items"]
    assert before == [], "a refused form filed nothing"
    check("a wrong CCCD is refused at its field, in Vietnamese, and files nothing")

    page.fill("#id_number", "079201001234")
    page.click("form.receive button[type=submit]")
    tab.view("receipt")
    dossier_id = page.url.rsplit("/", 1)[1]
    dossier = site.get(f"/dossiers/{dossier_id}")
    copies = page.locator("article.copy")
    assert copies.count() == 2
    for i in range(2):
        copy = copies.nth(i)
        assert copy.locator('[data-field="code"]').inner_text() == f"Mã hồ sơ: {dossier['code']}"
        assert copy.locator("[data-date]").get_attribute("data-date") == dossier["appointment_date"]
        day, month, year = dossier["appointment_date"][8:], dossier["appointment_date"][5:7], dossier["appointment_date"][:4]
        assert f"ngày {day} tháng {month} năm {year}" in copy.locator('[data-field="appointment"]').inner_text()
    looks(tab, "receipt")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(pages) == 2, f"{len(pages)} PDF pages"
    assert all(abs(float(w) - 595.92) < 1 and abs(float(h) - 842.88) < 1 for w, h in boxes), boxes
    with open(f"{looks.directory}/desk-receipt.pdf", "wb") as f:
        f.write(pdf)
    check("the receipt shows the API's code and appointment; its PDF is exactly two A4 pages")

    lookup_url = site.get(f"/dossiers/{dossier_id}/receipt")["lookup_url"]
    lookup = Page(context, server)
    lookup.page.goto(lookup_url)
    lookup.view("lookup")
    lookup.page.wait_for_selector('[data-field="status"]')
    assert lookup.page.inner_text('[data-field="status"]') == "Đã tiếp nhận"
    looks(lookup, "lookup")
    lookup.no_errors()
    lookup.page.close()
    check("the receipt's QR address opens the public lookup, which shows the status")

    page.click("text=Về hồ sơ")
    tab.view("dossier")
    actions = [b.get_attribute("data-action") for b in page.locator("[data-action]").all()]
    assert actions == dossier["actions"], (actions, dossier["actions"])
    looks(tab, "dossier")
    for step in ("request_supplement", "supplement_received", "resolve", "return_result"):
        page.click(f'[data-action="{step}"]')
        page.wait_for_selector("dialog[open] #step-confirm")
        if step == "resolve":
            looks(tab, "dialog", full_page=False)
        page.fill("#step-note", f"bước {step}")
        page.click("#step-confirm")
        page.wait_for_selector(f'tr[data-type="{step}"]')
    page.wait_for_selector("#actions >> text=Hồ sơ không còn thao tác nào.")
    timeline = [row.get_attribute("data-type") for row in page.locator("tr[data-type]").all()]
    api_timeline = [e["type"] for e in site.get(f"/dossiers/{dossier_id}/events")]
    assert timeline == api_timeline == ["received", "request_supplement", "supplement_received", "resolve", "return_result"], timeline
    assert page.locator("tr[data-type] >> text=Cán bộ hoa.canbo").count() == 5
    assert site.get(f"/dossiers/{dossier_id}")["status"] == "returned"
    explained = page.inner_text("#deadline")
    for words in ("Không tính ngày tiếp nhận hồ sơ", "3 ngày làm việc, mỗi ngày 8 giờ", "Không tính thời gian chờ công dân bổ sung"):
        assert words in explained, explained
    looks(tab, "dossier-ended")
    check("the clerk takes it to the end through the allowed actions; the timeline shows every step and who")

    # Someone else records a step while the dialog is open: the page says so and reloads.
    _, other = server.api(
        "POST", "/dossiers", site.admin,
        {"procedure_code": "1.001193", "channel": "in_person", "office_id": site.commune["id"],
         "applicant": {"name": "Trần Văn Bình"}}, expect=201)
    page.goto(f"{server.url}/app/dossiers/{other['id']}")
    tab.view("dossier")
    page.click('[data-action="resolve"]')
    page.wait_for_selector("dialog[open]")
    server.api("POST", f"/dossiers/{other['id']}/events", site.admin, {"type": "request_fee"}, expect=200)
    tab.expect_failure(409)
    page.click("#step-confirm")
    page.wait_for_selector("#notice >> text=Người khác vừa thay đổi hồ sơ này")
    looks(tab, "conflict")
    page.click("#reload")
    page.wait_for_selector('[data-action="fee_paid"]')
    assert site.get(f"/dossiers/{other['id']}")["status"] == "fee_requested"
    check("a step on a dossier changed meanwhile is refused with 'someone changed this dossier' and a reload")

    page.goto(f"{server.url}/app/")
    tab.view("work")
    page.fill("#search", "tran van binh")
    page.press("#search", "Enter")
    page.wait_for_selector(f'#results tr[data-code="{other["code"]}"]')
    check("the desk's search finds a dossier by the applicant's name without accents")

    page.click("#language")
    wait_until(lambda: page.evaluate("document.documentElement.lang === 'en'"), 10, "the page to be in English")
    assert page.inner_text('nav a[href="/app/receive"]') == "Receive a dossier"
    page.click("#language")
    wait_until(lambda: page.evaluate("document.documentElement.lang === 'vi'"), 10, "the page to be in Vietnamese")
    check("the English switch translates the page and back")

    page.evaluate("""() => {
      const s = JSON.parse(sessionStorage.getItem('motcua.session'));
      s.active = Date.now() - 31 * 60 * 1000;
      sessionStorage.setItem('motcua.session', JSON.stringify(s));
    }""")
    tab.view("login", timeout=15_000)
    assert "30 phút" in page.inner_text("main")
    assert page.evaluate("sessionStorage.getItem('motcua.session')") is None
    looks(tab, "login-expired")
    check("after 30 minutes idle the page logs out and forgets the token")
    tab.no_errors()
    page.close()
    return dossier


def numbers_on_page(page):
    """The breakdown table as {row key: {count key: number}}."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#breakdown tr[data-row]')].map((tr) =>
      [tr.dataset.row, Object.fromEntries([...tr.querySelectorAll('td[data-key]')].map((td) =>
        [td.dataset.key, td.textContent]))]))""")


def same_numbers(page, report):
    shown = numbers_on_page(page)
    for row in report["groups"] + [report["total"]]:
        cells = shown[row["key"]]
        for key, text in cells.items():
            if key == "on_time_rate":
                value = row[key]["value"]
                expected = "—" if value is None else f"{value * 100:.2f}".replace(".", ",") + "%"
                assert text.replace("\u00a0", "") == expected, (row["key"], key, text, expected)
            else:
                assert int(text.replace(".", "")) == row[key], (row["key"], key, text, row[key])
    assert set(shown) == {r["key"] for r in report["groups"]} | {"total"}, shown.keys()
    fraction = page.inner_text('#rate766 [data-field="fraction"]')
    rate = report["total"]["on_time_rate"]
    assert fraction == f"{rate['numerator']} / {rate['denominator']} hồ sơ", fraction
    for card, rate in (("online", report["total"]["online_rate"]), ("same-day", report["total"]["same_day_rate"])):
        assert page.inner_text(f'#{card} [data-field="fraction"]') == f"{rate['numerator']} / {rate['denominator']} hồ sơ", card
    offered = report["procedures_online"]["online_share"]
    assert page.inner_text('#procedures-online [data-field="fraction"]') == f"{offered['numerator']} / {offered['denominator']} thủ tục"
    met = {None: "Chưa có hồ sơ", True: "Đạt chỉ tiêu", False: "Chưa đạt chỉ tiêu"}[report["total"]["meets_target"]]
    assert page.inner_text('#rate766 [data-field="met"]') == met
    return shown


def dashboard(server, site, context, looks, dossier):
    """The manager's view: counted, drilled down, equal to JSON, downloaded as .xlsx."""
    tab = Page(context, server)
    page = tab.page
    tab.login("lan.quanly")
    tab.view("dashboard")
    today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)).date()
    period = f"from={today.replace(day=1)}&to={today}"

    def report(office):
        return site.get(f"/stats/on-time?office_id={office['id']}&{period}&group_by=office")

    province = report(site.province)
    assert province["total"]["received"] == 2, province["total"]
    same_numbers(page, province)
    satisfaction = site.get(f"/stats/satisfaction?office_id={site.province['id']}&{period}")
    assert page.inner_text('#satisfaction [data-field="votes"]') == f"{satisfaction['total']['total']} lượt đánh giá"
    looks(tab, "dashboard")
    check("a manager lands on the dashboard; the dossiers are counted and the page's numbers equal the JSON")

    for office, depth in ((site.district, 2), (site.commune, 3)):
        page.click(f'#breakdown a[data-office="{office["id"]}"]')
        page.wait_for_selector(f"#trail li:nth-child({depth}) [aria-current]")
        assert f"office={office['id']}" in page.url
        same_numbers(page, report(office))
    commune = report(site.commune)
    assert commune["total"]["received"] == 2 and commune["total"]["ended_early"] + commune["total"]["ended_on_time"] == 1
    looks(tab, "dashboard-commune")
    check("drill-down province → district → commune, each with the JSON's numbers, the filter in the URL")

    page.goto(f"{server.url}/app/dashboard?office={site.province['id']}&period=year&group=field")
    tab.view("dashboard")
    assert page.input_value("#group") == "field" and page.input_value("#period") == "year"
    assert page.input_value("#from") == f"{today.year}-01-01"
    year = site.get(f"/stats/on-time?office_id={site.province['id']}&from={today.year}-01-01&to={today}&group_by=field")
    same_numbers(page, year)
    check("a bookmarked URL (this year, by field) opens the same view, equal to the JSON")

    with page.expect_download() as info:
        page.click("#dl-ontime-xlsx")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    saved = f"{looks.directory}/{download.suggested_filename}"
    download.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    assert site.province["name"] in sheet["A1"].value, sheet["A1"].value
    keys = next(csv.reader(io.StringIO(get_text(server, site, f"/stats/on-time?office_id={site.province['id']}&from={today.year}-01-01&to={today}&group_by=field&format=csv&headers=keys"))))
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert len(rows) == len(year["groups"]) + 1
    total = dict(zip(keys, rows[-1]))
    for key in ("received", "handled", "ended_early", "ended_on_time", "ended_late", "pending_in_time", "pending_overdue"):
        assert total[key] == year["total"][key], (key, total[key], year["total"][key])
    with page.expect_download() as info:
        page.click("#dl-satisfaction-csv")
    assert info.value.suggested_filename.endswith(".csv")
    check("the dashboard's .xlsx opens in openpyxl with the JSON's numbers; the CSV downloads too")

    page.set_viewport_size(PHONE)
    looks(tab, "dashboard-phone")
    page.set_viewport_size(DESK)
    tab.no_errors()
    page.close()


def administration(server, site, context, looks):
    """A manager adds a clerk, registers and revokes a kiosk and sets a target."""
    tab = Page(context, server)
    page = tab.page
    tab.login("lan.quanly")
    tab.view("dashboard")
    page.click('nav a[href="/app/admin"]')
    tab.view("admin")
    page.select_option("#admin-office", site.commune["id"])
    page.wait_for_url(f"**/app/admin?office={site.commune['id']}")
    page.wait_for_selector('tr[data-user="hoa.canbo"]')

    page.fill("#clerk-username", "binh.canbo")
    page.fill("#clerk-full_name", "Trần Thị Bình")
    page.fill("#clerk-password", PASSWORD)
    page.click("#new-clerk button[type=submit]")
    page.wait_for_selector('tr[data-user="binh.canbo"]')
    status, login = server.api("POST", "/auth/login", body={"username": "binh.canbo", "password": PASSWORD})
    assert status == 200 and login["user"]["role"] == "clerk" and login["user"]["office_id"] == site.commune["id"], login
    check("a manager adds a clerk to a commune, who can log in")

    page.fill("#kiosk-name", "Quầy 2")
    page.click("#new-kiosk button[type=submit]")
    page.wait_for_selector("#pairing-link")
    link = page.get_attribute("#pairing-link", "href")
    assert link.startswith(server.url + "/kiosk/#pair=mck_"), link
    looks(tab, "admin")
    page.goto(server.url + f"/app/admin?office={site.commune['id']}")
    tab.view("admin")
    kiosk = next(k for k in site.get(f"/kiosks?office_id={site.commune['id']}") if k["name"] == "Quầy 2")
    assert kiosk["revoked_at"] is None
    page.click(f'[data-revoke="{kiosk["id"]}"]')
    assert site.get(f"/kiosks?office_id={site.commune['id']}")[0]["revoked_at"] is None, "one click only asks"
    page.click(f'[data-revoke="{kiosk["id"]}"]')
    page.wait_for_selector('tr[data-kiosk="Quầy 2"] >> text=Đã thu hồi')
    assert next(k for k in site.get(f"/kiosks?office_id={site.commune['id']}") if k["id"] == kiosk["id"])["revoked_at"]
    check("a kiosk registered on the page gets its pairing link; revoking takes a second click")

    page.fill("#target-percent", "95")
    page.click("#set-target button[type=submit]")
    page.wait_for_selector('tr[data-target="on_time:"]')
    year = datetime.date.today().year
    target = [x for x in site.get(f"/targets?year={year}") if x["office_id"] == site.commune["id"]]
    assert [(x["metric"], x["value"]) for x in target] == [("on_time", 0.95)], target
    looks(tab, "admin-target")
    check("a target set on the page is the office's target in the API")
    tab.no_errors()
    page.close()


def get_text(server, site, path):
    request = urllib.request.Request(server.url + "/api/v1" + path, headers={"authorization": f"Bearer {site.admin}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode("utf-8-sig")


def login_page(server, context, looks):
    tab = Page(context, server)
    tab.page.goto(server.url + "/app/dashboard")
    tab.view("login")
    looks(tab, "login")
    tab.expect_failure(401)
    tab.page.fill("#username", "lan.quanly")
    tab.page.fill("#password", "wrong password")
    tab.page.press("#password", "Enter")
    tab.page.wait_for_selector("text=Tên đăng nhập hoặc mật khẩu không đúng.")
    tab.no_errors()
    tab.page.close()
    check("the login page refuses a wrong password in Vietnamese")


def main():
    binary, shot_dir = sys.argv[1], sys.argv[2]
    looks = Looks(shot_dir, axe.source())
    server = Server(binary)
    server.start()
    try:
        site = Site(server)
        with sync_playwright() as p:
            chromium = browser(p)
            with chromium.new_context(viewport=DESK, locale="vi-VN", accept_downloads=True) as context:
                login_page(server, context, looks)
                dossier = clerk_flow(server, site, context, looks)
            with chromium.new_context(viewport=DESK, locale="vi-VN", accept_downloads=True) as context:
                dashboard(server, site, context, looks, dossier)
                administration(server, site, context, looks)
            chromium.close()
    finally:
        server.stop()
    looks.clean()
    check("axe-core finds no WCAG 2.2 AA violation on any page")
    print("desk browser tests passed")


if __name__ == "__main__":
    main()
