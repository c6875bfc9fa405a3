"""The review report in headless Chromium, as an auditor uses it: the overview lists and filters
every report, a flagged report's page shows its flags with the crops loaded, and a correction typed
into the review server's form is recorded. Then as an attacker uses it: a script in a 404 address,
forms posted from another origin, a file:// page and a sandboxed iframe, a rebound host name; none
records anything. Screenshots go to out/screenshots/ for people to look at."""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor.corpus import decisions
from extractor.report.review import Review, build_review, load_results
from extractor.report.server import ReviewServer

from .conftest import ROOT
from .reviewhttp import decision_count, running

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SHOTS = ROOT / "out" / "screenshots"
REBOUND = "rebind.test"  # a name an attacker's DNS points at 127.0.0.1 (DNS rebinding)
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000", "--no-proxy-server", f"--host-resolver-rules=MAP {REBOUND} 127.0.0.1")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
    for tool, pkg in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not tool.exists():
            print(f"skipping browser tests: {tool} not found (apt-get install {pkg})")
            pytest.skip(f"{tool} not found (apt-get install {pkg})")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="review-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for f in FLAGS + (f"--user-data-dir={profile}",):
        opts.add_argument(f)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    driver.set_page_load_timeout(60)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def site(review_site: Path) -> Path:
    return review_site


def wait(driver, condition, what: str, seconds: float = 30) -> object:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(lambda d: condition(d), message=f"waited for {what}")


def images_loaded(driver, selector: str) -> list[int]:
    """Scroll each image into view (they load lazily), wait for it, give the natural widths."""
    widths = []
    for img in driver.find_elements("css selector", selector):
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", img)
        wait(driver, lambda d, i=img: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0;", i),
             f"image {img.get_attribute('src')}")
        widths.append(int(img.get_property("naturalWidth")))
    return widths


def full_page_shot(driver, name: str) -> Path:
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1400, min(int(height) + 40, 6000))
    driver.execute_script("window.scrollTo(0, 0)")
    for img in driver.find_elements("css selector", "img.crop"):  # everything on screen now loads
        wait(driver, lambda d, i=img: d.execute_script("return arguments[0].complete;", i), "images")
    path = SHOTS / name
    driver.save_screenshot(str(path))
    driver.set_window_size(1400, 1000)
    return path


def visible_rows(driver) -> list[str]:
    return [tr.find_element("css selector", "td").text
            for tr in driver.find_elements("css selector", "#reports tbody tr") if tr.is_displayed()]


def test_overview_lists_filters_and_sorts(browser, site: Path, review_batch: Path) -> None:
    results = load_results(review_batch)
    browser.get((site / "index.html").as_uri())
    names = visible_rows(browser)
    assert len(names) == len(results)
    assert {r["company"]["name"] or Path(r["file"]).name for r in results} == set(names)
    full_page_shot(browser, "overview.png")

    browser.find_element("id", "f-flagged").click()
    flagged = [r for r in results if any(f["severity"] != "info" for f in r["flags"])]
    assert sorted(visible_rows(browser)) == sorted(r["company"]["name"] for r in flagged)
    browser.find_element("id", "f-flagged").click()
    browser.find_element("id", "f-errors").click()
    assert visible_rows(browser) == [Path(r["file"]).name for r in results if r["status"] == "error"]
    browser.find_element("id", "f-errors").click()

    revenue = browser.find_element("xpath", "//th[starts-with(normalize-space(.), 'Revenue')]")
    revenue.click()
    revenue.click()  # descending: the largest revenue first, reports without one last
    ordered = sorted((r for r in results if r["status"] != "error"),
                     key=lambda r: -r["figures"]["revenue"]["current"]["value"])
    assert visible_rows(browser)[0] == ordered[0]["company"]["name"]
    assert visible_rows(browser)[-1] == next(Path(r["file"]).name for r in results if r["status"] == "error")


def test_flagged_report_shows_flags_with_crops(browser, site: Path, review_batch: Path) -> None:
    r = next(r for r in load_results(review_batch) if any(f["id"] == "undisclosed_related_customer" for f in r["flags"]))
    browser.get((site / "index.html").as_uri())
    browser.find_element("link text", r["company"]["name"]).click()
    wait(browser, lambda d: d.find_elements("id", "flags"), "the report page")
    assert browser.find_element("id", "company").text.startswith(r["company"]["name"])
    for flag in r["flags"]:
        section = browser.find_element("id", f"flag-{flag['id'].replace('_', '-')}-0")
        assert flag["message"] in section.text
    flag_imgs = images_loaded(browser, "section.flag img.crop")
    assert len(flag_imgs) >= 2 and all(w > 0 for w in flag_imgs)
    section = browser.find_element("id", "flag-undisclosed-related-customer-0")
    browser.execute_script("arguments[0].scrollIntoView();", section)
    section.screenshot(str(SHOTS / "flag_undisclosed_related_customer.png"))
    assert all(w > 0 for w in images_loaded(browser, "section.figure img.crop"))
    full_page_shot(browser, "report_flagged.png")


@pytest.fixture
def served(review_batch: Path, site: Path, tmp_path: Path) -> Iterator[ReviewServer]:
    batch = tmp_path / "batch"
    shutil.copytree(review_batch, batch)  # results.jsonl and the batch's store, where decisions go
    shutil.copytree(site, tmp_path / "review")  # its crops: made once for the module
    rv = Review(batch, tmp_path / "review")
    rv.write()
    with running(rv) as srv:
        yield srv


def test_correction_typed_into_the_server_page(browser, served: ReviewServer) -> None:
    rv = served.review
    i, r = next((i, r) for i, r in enumerate(rv.results) if r["file"].endswith("s08_ashare_wan_chromium.pdf"))
    browser.get(served.login_url)
    assert browser.current_url == served.url  # the token went into a cookie, out of the address bar
    browser.find_element("id", "f-errors").click()  # the overview's script runs under the CSP (its nonce)
    assert visible_rows(browser) == [Path(r["file"]).name for r in rv.results if r["status"] == "error"]
    browser.find_element("id", "f-errors").click()
    browser.find_element("link text", r["company"]["name"]).click()
    form = browser.find_element("css selector", 'form[data-target="figure:selling_expense.current"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", form)

    form.find_element("css selector", 'input[value="corrected"]').click()  # a bad value first: told why
    form.find_element("name", "value").send_keys("4.7e8 yuan")
    form.find_element("css selector", "button").click()
    alert = wait(browser, lambda d: d.find_elements("css selector", "form .error-msg"), "the error message")[0]
    assert "not a number" in alert.text
    assert decisions.history(rv.db) == []

    form = browser.find_element("css selector", 'form[data-target="figure:selling_expense.current"]')
    box = form.find_element("name", "value")
    box.clear()
    box.send_keys("470,971,000.00")
    form.find_element("name", "comment").send_keys("notes table gives 470,971.00 万元")
    form.find_element("name", "reviewer").send_keys("auditor-1")
    form.find_element("css selector", "button").click()
    saved = wait(browser, lambda d: d.find_elements("css selector", ".saved-msg"), "the saved message")[0]
    assert "figure:selling_expense.current corrected" in saved.text
    section = browser.find_element("id", "figure-selling-expense-current")
    browser.execute_script("arguments[0].scrollIntoView();", section)
    section.screenshot(str(SHOTS / "server_correction.png"))

    d = decisions.latest(rv.db)[(r["sha256"], "figure:selling_expense.current")]
    assert (d.action, str(d.value), d.reviewer) == ("corrected", "470971000.00", "auditor-1")
    assert d.comment == "notes table gives 470,971.00 万元"
    build_review(rv.outdir, rv.out)  # the static copy, re-rendered from the store
    static = (rv.out / "r" / rv.names[i]).read_text(encoding="utf-8")
    assert "470,971,000.00" in static and "notes table gives 470,971.00 万元" in static
    export = (rv.out / "decisions.csv").read_text(encoding="utf-8")
    assert "figure:selling_expense.current,corrected,470971600,\"47,097.16\",12,470971000.00," in export
    browser.get((rv.out / "index.html").as_uri())
    row = next(tr for tr in browser.find_elements("css selector", "#reports tbody tr")
               if tr.text.startswith(r["company"]["name"]))
    assert "✎ 470,971,000.00" in row.text
    # the exports made from the store carry the correction and keep the value read
    from extractor.corpus.exports import export, figure_rows

    export(rv.outdir, ("csv", "xlsx"))
    fig = next(f for f in figure_rows(rv.outdir) if f["file"].endswith("s08_ashare_wan_chromium.pdf"))
    assert (fig["selling_expense_current"], fig["selling_expense_current_original"]) == (470971000, 470971600)
    assert fig["selling_expense_current_review"] == "corrected"
    assert "470971000" in (rv.outdir / "figures.csv").read_text(encoding="utf-8-sig")


def test_single_report_file_opens_with_its_crops(browser, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from extractor.cli import main

    from .conftest import SAMPLES

    out = tmp_path / "one" / "review.html"
    res = CliRunner().invoke(main, ["extract", str(SAMPLES / "s03_hk_chromium.pdf"), "--review", str(out)])
    assert res.exit_code == 0, res.output
    browser.get(out.as_uri())
    assert browser.find_element("id", "company").text.startswith("深圳市鼎盛電子股份有限公司")
    assert "cash_revenue_divergence" in browser.find_element("id", "flag-cash-revenue-divergence-0").text
    widths = images_loaded(browser, "img.crop")
    assert len(widths) >= 10 and all(w > 0 for w in widths)
    full_page_shot(browser, "single_report.png")


# --- attacks from the browser: none records anything ------------------------------------------

XSS = "window.__xss = 1; document.title = 'XSS'"


def logged_in(browser, srv: ReviewServer) -> None:
    """The auditor's browser: it has opened the address printed at start-up (so it holds the cookie)."""
    browser.get(srv.login_url)
    assert browser.current_url == srv.url


def status_heading(browser) -> str:
    return wait(browser, lambda d: d.find_elements("id", "status"), "the status page")[0].text


@pytest.mark.parametrize("path", [
    f"/<img src=x onerror=\"{XSS}\">",
    f"/crops/<img src=x onerror=\"{XSS}\">",
    f"/r/<svg onload=\"{XSS}\">",
    f"/history/<svg onload=\"{XSS}\">?target=<svg onload=\"{XSS}\">",
], ids=["404", "crops-404", "report-404", "history-404"])
def test_script_in_a_404_address_does_not_run(browser, served: ReviewServer, path: str) -> None:
    logged_in(browser, served)
    browser.get(served.url.rstrip("/") + path)
    assert status_heading(browser) == "404 Not Found"
    time.sleep(0.3)  # an onerror would have fired by now (the image fails at once)
    assert browser.execute_script("return document.querySelectorAll('img, svg, [onerror], [onload]').length") == 0
    assert browser.execute_script("return window.__xss === undefined") and browser.title != "XSS"
    assert decision_count(served.review.db) == 0


def test_saved_message_is_not_taken_from_the_address(browser, served: ReviewServer) -> None:
    logged_in(browser, served)
    name = served.review.names[0]
    browser.get(f"{served.url}r/{name}?saved=<img src=x onerror=\"{XSS}\">recorded: everything")
    wait(browser, lambda d: d.find_elements("id", "company"), "the report page")
    assert browser.find_elements("css selector", ".saved-msg") == []
    assert browser.execute_script("return document.querySelectorAll('[onerror]').length") == 0
    assert browser.execute_script("return window.__xss === undefined")


@pytest.fixture
def attacker(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Another web server on 127.0.0.1 (another port: another origin, the same site), serving
    whatever the test writes into its folder."""
    root = tmp_path / "attacker"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.shutdown()
    httpd.server_close()


def attack_form(srv: ReviewServer, fields: dict[str, str], enctype: str = "application/x-www-form-urlencoded",
                path: str = "/decide") -> str:
    inputs = "".join(f"<input type=hidden name='{k}' value='{v}'>" for k, v in fields.items())
    return (f"<form id=f method=post enctype='{enctype}' action='http://127.0.0.1:{srv.port}{path}'>{inputs}</form>"
            "<script>document.getElementById('f').submit()</script>")


def refusal(srv: ReviewServer, before: int, seconds: float = 30) -> tuple[int, str, str]:
    """The first POST refused after the ``before``-th refusal (the browser's own GETs, a favicon,
    are left aside); fails as soon as a decision is recorded instead."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        assert decision_count(srv.review.db) == 0, "the attack recorded a decision"
        posts = [r for r in list(srv.refused)[before:] if r[1].startswith("POST ")]
        if posts:
            return posts[0]
        time.sleep(0.05)
    raise AssertionError("the attack never reached the server")


def posts_refused(srv: ReviewServer, before: int) -> int:
    return sum(1 for r in list(srv.refused)[before:] if r[1].startswith("POST "))


def decision_fields(srv: ReviewServer) -> dict[str, str]:
    """What a forged decision carries: everything a real form has but the token."""
    r = srv.review.results[0]
    return {"sha256": r["sha256"], "target": "figure:revenue.current", "action": "rejected", "comment": "forged"}


def smuggled(srv: ReviewServer) -> dict[str, str]:
    """A text/plain form whose body is a request line plus a complete second request (the old
    server parsed a body it did not read as the next request on the connection)."""
    inner = "&".join(f"{k}={v}" for k, v in decision_fields(srv).items())
    second = (f"POST /decide HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\n"
              f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(inner)}\r\n\r\n{inner}")
    return {"x": "\r\n\r\n" + second}


@pytest.mark.parametrize("case", ["urlencoded", "text-plain-smuggled", "smuggled-via-404"])
def test_cross_origin_form_records_nothing(browser, served: ReviewServer, attacker: tuple[str, Path],
                                           case: str) -> None:
    origin, root = attacker
    if case == "urlencoded":
        page, expected = attack_form(served, {**decision_fields(served), "token": "guess"}), 403
    elif case == "text-plain-smuggled":
        page, expected = attack_form(served, smuggled(served), "text/plain"), 403
    else:
        page, expected = attack_form(served, smuggled(served), "text/plain", path="/nothing-here"), 404
    (root / "attack.html").write_text(page, encoding="utf-8")
    logged_in(browser, served)  # its cookie goes along: another port of 127.0.0.1 is the same site
    before = len(served.refused)
    browser.get(f"{origin}/attack.html")
    status, _, reason = refusal(served, before)
    assert status == expected, reason
    assert status_heading(browser).startswith(str(expected))
    time.sleep(0.3)  # a smuggled second request would be answered by now
    assert posts_refused(served, before) == 1  # one POST came and was refused: nothing smuggled behind it
    assert decision_count(served.review.db) == 0


def test_file_page_records_nothing(browser, served: ReviewServer, tmp_path: Path) -> None:
    page = tmp_path / "attack.html"
    page.write_text(attack_form(served, {**decision_fields(served), "token": "guess"}), encoding="utf-8")
    logged_in(browser, served)
    before = len(served.refused)
    browser.get(page.as_uri())  # Origin: null
    status, _, reason = refusal(served, before)
    assert status == 403 and "opaque origin" in reason and decision_count(served.review.db) == 0
    assert status_heading(browser) == "403 Forbidden"


def test_sandboxed_iframe_records_nothing(browser, served: ReviewServer, attacker: tuple[str, Path]) -> None:
    origin, root = attacker
    inner = attack_form(served, {**decision_fields(served), "token": "guess"}).replace("'", "&#39;")
    (root / "frame.html").write_text(f"<iframe sandbox='allow-forms allow-scripts' srcdoc='{inner}'></iframe>",
                                     encoding="utf-8")
    logged_in(browser, served)
    before = len(served.refused)
    browser.get(f"{origin}/frame.html")  # the iframe's origin is opaque: Origin: null
    status, request, reason = refusal(served, before)
    assert (status, request) == (403, "POST /decide") and "opaque origin" in reason
    assert decision_count(served.review.db) == 0


def test_rebound_host_name_gets_400(browser, served: ReviewServer) -> None:
    before = len(served.refused)
    browser.get(f"http://{REBOUND}:{served.port}/?token={served.token}")  # even with the token
    assert status_heading(browser) == "400 Bad Request"
    assert (400, "GET /") in [r[:2] for r in list(served.refused)[before:]]
    assert browser.find_elements("id", "reports") == []  # the overview is not shown to that name
