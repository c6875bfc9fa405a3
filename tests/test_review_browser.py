"""The review report in headless Chromium, as an auditor uses it: the overview lists and filters
every report, a flagged report's page shows its flags with the crops loaded, and a correction typed
into the review server's form is recorded. Screenshots go to out/screenshots/ for people to look at."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor.corpus import decisions
from extractor.report.review import Review, build_review, load_results
from extractor.report.server import ReviewServer

from .conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SHOTS = ROOT / "out" / "screenshots"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000")


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
def site(review_batch: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("review-site")
    build_review(review_batch, out)
    return out


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
    srv = ReviewServer(rv, 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_correction_typed_into_the_server_page(browser, served: ReviewServer) -> None:
    rv = served.review
    i, r = next((i, r) for i, r in enumerate(rv.results) if r["file"].endswith("s08_ashare_wan_chromium.pdf"))
    browser.get(served.url)
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
