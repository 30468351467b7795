#!/usr/bin/python3
"""Opens an HTML file the product wrote in headless Chromium and checks what
a reader would see (run with /usr/bin/python3: Debian's selenium, PIL).

    browsercheck.py FILE.html [--expect EXPECT.json] [--screenshot OUT.png] [--pdf OUT.pdf]

Checks, each failure listed on stdout:
  * the browser logs no console error (SEVERE);
  * no request leaves the file: the performance log holds no request but
    the file itself (and data: URLs);
  * with --expect ({"tables": {SECTION: [[code, rank, value], ...]},
    "marks": {SECTION: N}, "values": {SECTION: [[code, value], ...]}}):
    every ranked row of each table, in order, with its rank and value;
    the number of .mark elements in each section; the data-code and
    data-value of each section's marks;
  * a full-page screenshot is not blank (more than one colour, and ink on
    more than 1 % of it);
  * Page.printToPDF on A4 gives a PDF.
Exit 0 when all hold, 1 otherwise, 77 when selenium or chromedriver is
missing.
"""
import argparse
import base64
import json
import os
import sys
import tempfile

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:
    print("selenium is not installed (python3-selenium)")
    sys.exit(77)

DRIVER = "/usr/bin/chromedriver"


def open_browser():
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1000,1400",
                "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=options)


def requests_made(driver):
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def check_tables(driver, expect, failures):
    for section, rows in expect.get("tables", {}).items():
        trs = driver.find_elements(By.CSS_SELECTOR, "section#%s tbody tr" % section)
        got = [[tr.get_attribute("data-code"), tr.get_attribute("data-rank"),
                tr.find_element(By.CSS_SELECTOR, "td.value").text] for tr in trs]
        want = [[code, "" if rank is None else str(rank), value] for code, rank, value in rows]
        if got != want:
            failures.append("%s: rows %s, expected %s" % (section, got, want))


def check_marks(driver, expect, failures):
    for section, count in expect.get("marks", {}).items():
        marks = driver.find_elements(By.CSS_SELECTOR, "section#%s .mark" % section)
        if len(marks) != count:
            failures.append("%s: %d marks, expected %d" % (section, len(marks), count))
    for section, values in expect.get("values", {}).items():
        marks = driver.find_elements(By.CSS_SELECTOR, "section#%s .mark" % section)
        got = sorted([m.get_attribute("data-code"), m.get_attribute("data-value")] for m in marks)
        if got != sorted(values):
            failures.append("%s: mark values %s, expected %s" % (section, got, sorted(values)))


def check_screenshot(driver, path, failures):
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1000, min(max(height, 800), 12000))
    shot = driver.get_screenshot_as_png()
    with open(path, "wb") as f:
        f.write(shot)
    try:
        from PIL import Image
    except ImportError:
        failures.append("python3-pil is not installed: cannot look at the screenshot")
        return
    image = Image.open(path).convert("L")
    histogram = image.histogram()
    pixels = sum(histogram)
    ink = sum(histogram[:200])
    if sum(1 for h in histogram if h) < 2 or ink < pixels / 100:
        failures.append("the screenshot is blank (%d of %d pixels dark)" % (ink, pixels))


def check_pdf(driver, path, failures):
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True,
        "marginTop": 0.4, "marginBottom": 0.4, "marginLeft": 0.4, "marginRight": 0.4})
    data = base64.b64decode(pdf["data"])
    if path:
        with open(path, "wb") as f:
            f.write(data)
    if not data.startswith(b"%PDF") or len(data) < 2000:
        failures.append("printing to PDF on A4 gave %d bytes" % len(data))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("html")
    parser.add_argument("--expect")
    parser.add_argument("--screenshot")
    parser.add_argument("--pdf")
    args = parser.parse_args()
    if not os.access(DRIVER, os.X_OK):
        print("chromedriver is not installed (chromium-driver)")
        return 77
    url = "file://" + os.path.abspath(args.html)
    failures = []
    driver = open_browser()
    try:
        driver.get(url)
        expect = json.load(open(args.expect)) if args.expect else {}
        check_tables(driver, expect, failures)
        check_marks(driver, expect, failures)
        shot = args.screenshot or os.path.join(tempfile.mkdtemp(), "shot.png")
        check_screenshot(driver, shot, failures)
        check_pdf(driver, args.pdf, failures)
        for entry in driver.get_log("browser"):
            if entry.get("level") == "SEVERE":
                failures.append("console error: %s" % entry.get("message"))
        outside = [u for u in requests_made(driver) if u != url and not u.startswith("data:")]
        if outside:
            failures.append("requests outside the file: %s" % outside)
    finally:
        driver.quit()
    for failure in failures:
        print("FAIL " + failure)
    if not failures:
        print("ok   %s renders offline as expected" % args.html)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
