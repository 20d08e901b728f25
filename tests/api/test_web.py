"""The pages in a real browser: headless Chromium from the distribution, driven by Playwright, against a real
`hjemmel serve` over the small health-law index. Every page state a test reaches is screenshotted and checked with
axe-core (no serious or critical violations) and for console errors.

Screenshots go to the session's temporary folder and, when HJEMMEL_SHOTS_DIR is set, are copied there for review.
"""

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# No first-run work, no calls home: the pages must work with no internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BLOCKING = {"serious", "critical"}
HPL_29 = "/p/LOV-1999-07-02-64/§29"
DESCRIPTION = (
    "Vi vil bruke journaldata fra 2018–2024 til å trene en modell som varsler forverring hos "
    "hjertesviktpasienter, og kjøpe løsningen inn som CE-merket programvare."
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium not found; `bash scripts/setup.sh` installs the distribution's package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


class Visit:
    """A page in a browser tab that records console errors; `look` screenshots it and runs axe-core on it."""

    def __init__(self, page: Page, shots: Path, axe: Axe) -> None:
        self.page = page
        self.shots = shots
        self.axe = axe
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def look(self, name: str) -> None:
        self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)
        if copies := os.environ.get("HJEMMEL_SHOTS_DIR"):
            Path(copies).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.shots / f"{name}.png", Path(copies) / f"{name}.png")
        violations = self.axe.run(self.page).response["violations"]
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in violations
            if v["impact"] in BLOCKING
        ]
        assert not blocking, f"{name}: {blocking}"
        assert not self.errors, f"{name}: console errors {self.errors}"


def _context(browser: Browser, server: str, locale: str) -> BrowserContext:
    context = browser.new_context(base_url=server, locale=locale, viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    return context


@pytest.fixture
def visit(browser: Browser, server: str, shots: Path, axe: Axe) -> Iterator[Visit]:
    """A fresh tab whose browser prefers Norwegian bokmål, as guidance staff's do."""
    context = _context(browser, server, "nb-NO")
    visit = Visit(context.new_page(), shots, axe)
    yield visit
    context.close()
    assert not visit.errors, visit.errors


def _wait_for_path(page: Page, path: str) -> None:
    """Until the page shows `path` (and query, fragment), compared decoded: «§» travels as %C2%A7."""
    page.wait_for_url(lambda url: unquote(re.sub(r"^https?://[^/]+", "", url)) == path)


def test_search_with_a_filter_is_a_shareable_url(visit: Visit) -> None:
    page = visit.page
    page.goto("/")
    visit.look("search-empty")
    page.get_by_label("Hva leter du etter?").fill("krav til medisinsk utstyr")
    page.get_by_label("Etat", exact=True).select_option("dmp")
    page.get_by_role("button", name="Søk", exact=True).click()
    page.wait_for_url(re.compile(r"agency=dmp"))
    assert "q=krav+til+medisinsk+utstyr" in page.url
    results = page.locator("section.results article.result")
    expect(results.first).to_be_visible()
    assert results.count() == 10
    for badges in results.locator("ul.badges").all():
        assert "Direktoratet for medisinske produkter" in badges.inner_text()
    assert page.locator("section.results mark").count() > 0
    assert results.first.get_by_role("link", name=re.compile(r"^Les på (Lovdata|EUR-Lex)$")).count() == 1
    visit.look("search")

    # The same list under the agency's former name, as a 2020 guidance page would call it.
    page.goto("/?q=krav+til+medisinsk+utstyr&agency=Statens+legemiddelverk")
    expect(page.get_by_role("status").first).to_contain_text("heter nå Direktoratet for medisinske produkter")
    expect(page.get_by_label("Etat", exact=True)).to_have_value("dmp")
    assert page.locator("section.results article.result").count() == 10


def test_search_for_law_outside_the_sources_links_to_it(visit: Visit) -> None:
    page = visit.page
    page.goto("/?q=oppsigelsestid+for+sykepleiere")
    elsewhere = page.locator(".notice.outside ul.elsewhere a").first
    expect(elsewhere).to_have_text("arbeidsmiljøloven")
    assert (elsewhere.get_attribute("href") or "").startswith("https://lovdata.no/")
    assert page.locator("section.results article.result").count() > 0


def test_empty_result_says_what_to_try(visit: Visit) -> None:
    page = visit.page
    page.goto("/?q=kvantekromodynamikk+gluoner&kind=eu-direktiv")
    expect(page.locator(".empty")).to_contain_text("Ingen treff")
    unfiltered = page.get_by_role("link", name="å søke uten avgrensning")
    assert unquote(unfiltered.get_attribute("href") or "") == "/?q=kvantekromodynamikk gluoner"
    visit.look("search-no-results")


def test_open_a_provision_from_a_result(visit: Visit) -> None:
    page = visit.page
    page.goto("/?q=dispensasjon+fra+taushetsplikt&act=LOV-1999-07-02-64")
    page.locator("section.results article.result h3 a", has_text="helsepersonelloven § 29").first.click()
    _wait_for_path(page, HPL_29)
    expect(page.get_by_role("heading", level=1)).to_contain_text("helsepersonelloven § 29")
    expect(page.locator(".crumbs")).to_contain_text("Kapittel 5. Taushetsplikt og opplysningsrett")
    expect(page.locator("#ledd-1 .number")).to_have_text("(1)")
    expect(page.locator("#ledd-2 .number")).to_have_text("(2)")
    expect(page.get_by_role("heading", name="Endringer")).to_be_visible()
    expect(page.locator("dl.agencies")).to_contain_text("Helsedirektoratet")
    expect(page.locator("dl.facts")).to_contain_text("2025-01-01")
    expect(page.locator("a[rel=prev]")).to_contain_text("helsepersonelloven § 28")
    expect(page.locator("a[rel=next]")).to_contain_text("helsepersonelloven § 29 a")
    current = page.locator("aside.toc a[aria-current=page]")
    expect(current).to_have_text("§ 29")
    expect(page.get_by_role("link", name="Les på Lovdata").first).to_have_attribute(
        "href", "https://lovdata.no/dokument/NL/lov/1999-07-02-64/§29"
    )
    visit.look("provision")
    page.locator("a[rel=next]").click()
    _wait_for_path(page, "/p/LOV-1999-07-02-64/§29a")
    expect(page.get_by_role("heading", level=1)).to_contain_text("helsepersonelloven § 29 a")


def test_jump_by_citation(visit: Visit) -> None:
    page = visit.page

    def cite(text: str) -> None:
        box = page.get_by_role("textbox", name="Gå til bestemmelse")
        box.fill(text)
        box.press("Enter")

    page.goto("/")
    cite("pbrl. § 3-2")
    _wait_for_path(page, "/p/LOV-1999-07-02-63/§3-2")
    expect(page.get_by_role("heading", level=1)).to_contain_text("pasient- og brukerrettighetsloven § 3-2")

    page.get_by_role("textbox", name="Gå til bestemmelse").fill("GDPR art. 9(2)(h)")
    page.get_by_role("button", name="Gå", exact=True).click()
    _wait_for_path(page, "/p/32016R0679/art9")
    visit.look("provision-eu")

    cite("hpl § 29 første ledd")
    _wait_for_path(page, f"{HPL_29}#ledd-1")
    expect(page.locator("#ledd-1")).to_be_in_viewport()

    cite("hpl § 999")
    page.wait_for_url("**/go?**")
    notice = page.locator(".notice")
    expect(notice).to_contain_text("Forstod «helsepersonelloven § 999» (LOV-1999-07-02-64/§999)")
    act = notice.get_by_role("link", name="Se innholdet i helsepersonelloven")
    expect(act).to_have_attribute("href", "/d/LOV-1999-07-02-64")
    visit.look("citation-not-found")

    cite("taushetsplikt")
    expect(page.locator(".notice")).to_contain_text("Fant ingen lovhenvisning i «taushetsplikt»")


def test_copy_a_citation(visit: Visit) -> None:
    page = visit.page
    page.goto(HPL_29)
    page.locator(".provision > .actions").get_by_role("button", name=re.compile("^Kopier henvisning")).click()
    expect(page.get_by_role("status")).to_have_text("Kopiert: helsepersonelloven § 29")
    assert page.evaluate("navigator.clipboard.readText()") == "helsepersonelloven § 29"

    first = page.locator("#ledd-1")
    first.get_by_role("button", name=re.compile("^Kopier henvisning")).click()
    expect(page.get_by_role("status")).to_contain_text("første ledd")
    assert page.evaluate("navigator.clipboard.readText()") == "helsepersonelloven § 29 første ledd"
    first.get_by_role("button", name=re.compile("^Kopier full referanse")).click()
    expect(page.get_by_role("status")).to_contain_text("https://")
    assert page.evaluate("navigator.clipboard.readText()") == (
        "helsepersonelloven § 29 første ledd, Lov om helsepersonell m.v. (helsepersonelloven), "
        "https://lovdata.no/dokument/NL/lov/1999-07-02-64/§29"
    )
    page.locator(".provision > .actions").get_by_role("button", name=re.compile("^Kopier lenke")).click()
    expect(page.get_by_role("status")).to_contain_text("/p/")
    assert unquote(page.evaluate("navigator.clipboard.readText()")).endswith(HPL_29)
    visit.look("provision-copied")


def test_ask_quotes_link_to_provisions_and_off_topic_is_refused(visit: Visit) -> None:
    page = visit.page
    page.goto("/answer")
    page.get_by_label("Spørsmål").fill("Når kan departementet gi dispensasjon fra taushetsplikten?")
    page.get_by_role("button", name="Spør", exact=True).click()
    expect(page.get_by_role("heading", name="Svar", exact=True)).to_be_visible()
    quotes = page.locator("ol.quotes figure")
    assert quotes.count() >= 1
    link = quotes.first.locator("figcaption a")
    assert re.fullmatch(r"/p/.+#ledd-\d+", unquote(link.get_attribute("href") or ""))
    quoted = quotes.first.locator("blockquote").inner_text().strip("«» \n")
    visit.look("ask")
    link.click()
    page.wait_for_url("**/p/**")
    anchor = page.url.rsplit("#", 1)[1]
    assert quoted in page.locator(f"#{anchor}").inner_text()

    page.goto("/answer?q=Hvordan+lager+jeg+en+god+pizzadeig%3F")
    refusal = page.locator("section.answer.refused")
    expect(refusal.get_by_role("heading")).to_have_text("Ikke besvart")
    expect(refusal).to_contain_text("Fant ikke grunnlag i kildene")
    assert page.locator("ol.quotes").count() == 0
    assert page.locator("ol.results article.result").count() >= 1
    visit.look("ask-refused")

    page.goto("/answer?q=Hvor+lang+oppsigelsestid+har+en+radiograf%3F")
    elsewhere = page.locator("section.answer.refused ul.elsewhere a").first
    expect(elsewhere).to_have_text("arbeidsmiljøloven")
    assert (elsewhere.get_attribute("href") or "").startswith("https://lovdata.no/")


def test_project_check_lists_laws_why_and_whom_to_ask(visit: Visit) -> None:
    page = visit.page
    page.goto("/check")
    page.get_by_label("Beskriv prosjektet").fill(DESCRIPTION)
    page.get_by_role("button", name="Sjekk", exact=True).click()
    expect(page.get_by_role("heading", name="Regelverk som gjelder")).to_be_visible()
    laws = page.locator("ol.laws > li")
    assert laws.count() >= 2
    expect(page.locator("ol.laws")).to_contain_text("helsepersonelloven")
    agencies = page.locator("ol.agencies-to-ask > li")
    expect(agencies.filter(has_text="Helsedirektoratet").first.locator("blockquote")).not_to_be_empty()
    expect(agencies.filter(has_text="Direktoratet for medisinske produkter").first).to_contain_text("Rolle:")
    visit.look("check")
    laws.first.locator("ul.why a").first.click()
    page.wait_for_url("**/p/**")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto("/check?description=Oppskrift+p%C3%A5+surdeigsbr%C3%B8d+med+rug")
    expect(page.get_by_role("status").first).to_contain_text("Beskrivelsen nevner ikke helse")


def test_act_and_sources_pages(visit: Visit) -> None:
    page = visit.page
    page.goto("/registry")
    rows = page.locator("table.sources tbody tr")
    assert rows.count() >= 50
    hpl = rows.filter(has=page.get_by_role("link", name="helsepersonelloven", exact=True))
    cells = hpl.locator("td")
    assert int(cells.nth(1).inner_text()) > 90 and cells.nth(3).inner_text() == "2025-01-01"
    expect(hpl).to_contain_text("NLOD 2.0")
    visit.look("sources")
    hpl.get_by_role("link", name="helsepersonelloven", exact=True).click()
    page.wait_for_url("**/d/LOV-1999-07-02-64")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Helse- og omsorgsdepartementet")
    expect(facts).to_contain_text("lov/2024-06-21-44")
    expect(page.locator("details.section summary").first).to_contain_text("Kapittel 1.")
    visit.look("act")
    page.goto("/d/32024R1689")
    recitals = page.locator("details.section", has=page.locator("summary", has_text="Fortale"))
    expect(recitals).not_to_have_attribute("open", "")
    visit.look("act-eu")


def test_language_switch_and_accept_language(visit: Visit, browser: Browser, server: str) -> None:
    page = visit.page
    page.goto("/?q=taushetsplikt")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search acts, regulations and guidance")
    expect(page.get_by_label("What are you looking for?")).to_have_value("taushetsplikt")
    visit.look("search-english")
    page.get_by_role("link", name="Sources", exact=True).click()  # the choice is remembered
    expect(page.get_by_role("heading", level=1)).to_have_text("Sources")
    page.get_by_role("link", name="Norsk (bokmål)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kilder")

    english = _context(browser, server, "en-GB")
    try:
        tab = english.new_page()
        tab.goto("/")
        expect(tab.locator("html")).to_have_attribute("lang", "en")
    finally:
        english.close()


def test_keyboard_only_search(visit: Visit) -> None:
    page = visit.page
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Hopp til hovedinnholdet")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("id", "q")
    page.keyboard.type("pasientens rett til informasjon")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=pasientens*")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('article.result') !== null"):
            break
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("href", re.compile(r"^/p/"))
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    target = focused.get_attribute("href")
    page.keyboard.press("Enter")
    _wait_for_path(page, target)
    visit.look("keyboard-provision")


@pytest.mark.parametrize("path", ["/?q=taushetsplikt+forskning", HPL_29, "/d/32024R1689", "/registry"])
def test_pages_reflow_at_320_css_pixels(visit: Visit, path: str) -> None:
    """WCAG 1.4.10: at 320 px nothing needs scrolling sideways (the sources table scrolls in its own region)."""
    page = visit.page
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_unknown_provision_is_a_page_that_says_so(server: str) -> None:
    response = httpx.get(f"{server}/p/LOV-1999-07-02-64/§999", headers={"accept-language": "en"})
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "No provision has the id «LOV-1999-07-02-64/§999»" in response.text
    # The JSON API is where it was, with problem details.
    assert httpx.get(f"{server}/units/LOV-1999-07-02-64/§999").headers["content-type"] == "application/problem+json"


def test_language_cookie_and_vary(server: str) -> None:
    switched = httpx.get(f"{server}/registry", params={"lang": "en"})
    assert switched.cookies["lang"] == "en" and "Accept-Language" in switched.headers["vary"]
    remembered = httpx.get(f"{server}/registry", cookies={"lang": "en"}, headers={"accept-language": "nb-NO,nb;q=0.9"})
    assert '<html lang="en">' in remembered.text
    assert '<html lang="nb">' in httpx.get(f"{server}/registry", headers={"accept-language": "fr-FR,nn;q=0.5"}).text
