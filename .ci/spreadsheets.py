"""The Excel exports open in openpyxl and hold the same numbers as the CSV and JSON
answers, for the province the durability run filled (votes and receipts).

    python3 .ci/spreadsheets.py BASE_URL TOKEN
"""
import csv
import datetime
import io
import json
import sys
import urllib.request

import openpyxl

base, token = sys.argv[1], sys.argv[2]


def get(path):
    request = urllib.request.Request(base + path, headers={"authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


offices = json.loads(get("/api/v1/offices"))
offices = offices["items"] if isinstance(offices, dict) else offices
province = next(o for o in offices if o["code"] == "000.00.00.H99")
today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)).date()
period = f"office_id={province['id']}&from={today.replace(day=1)}&to={today}"

for path, received in (
    (f"/api/v1/stats/on-time?{period}&group_by=procedure", lambda r: r["total"]["received"]),
    (f"/api/v1/stats/satisfaction?{period}&group_by=hour", lambda r: r["total"]["total"]),
):
    report = json.loads(get(path))
    rows = list(csv.reader(io.StringIO(get(path + "&format=csv&headers=keys").decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(get(path + "&format=xlsx"))).active
    assert province["name"] in sheet["A1"].value, sheet["A1"].value
    assert sheet.freeze_panes == "A3", sheet.freeze_panes
    keys, lines = rows[0], rows[1:]
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert len(cells) == len(lines) == len(report["groups"]) + 1, (len(cells), len(lines))
    for line, row in zip(lines, cells):
        for key, text, value in zip(keys, line, row):
            if text == "":
                assert value is None, (key, value)
            elif key == "meets_target":
                assert value == ("Đạt" if text == "true" else "Không đạt"), (key, text, value)
            elif key in ("group", "label"):
                assert str(value) == text, (key, text, value)
            else:
                assert isinstance(value, (int, float)) and abs(value - float(text)) < 1e-9, (key, text, value)
    total = dict(zip(keys, cells[-1]))
    key = "received" if "on-time" in path else "total"
    assert total[key] == received(report) > 0, (total[key], received(report))
    print(f"{path.split('?')[0]}: the .xlsx opens in openpyxl, {len(cells)} rows equal to CSV and JSON "
          f"({key} {total[key]})")
