"""A person's way through the app in a real browser, with every page audited by axe-core.

`Journey` wraps a Playwright page. Each way of reaching a page (`go`, `click`, `submit`) waits
for it to load, checks that it answered without an error, and runs axe-core on it; a violation
of impact moderate, serious or critical fails the test with the rule, its impact and the
elements concerned. Then the page is laid out 320 CSS pixels wide, as on a small phone or at
400% zoom, and must not scroll sideways (WCAG 2.2 success criterion 1.4.10, reflow); a failure
names the elements that stick out. The journey also watches the browser: a page reached some
other way and never audited, or a JavaScript error, fails the test when the journey ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import ConsoleMessage, Locator, Page, Response
from playwright.sync_api import Error as PlaywrightError

FAILING_IMPACTS = frozenset({"moderate", "serious", "critical"})
REFLOW_WIDTH = 320
"""CSS pixels: 1280 px at 400% zoom, the width WCAG's reflow criterion asks content to fit."""
_AXE = Axe()

_CONDITIONAL_REVEAL = re.compile(
    r'^<input class="govuk-(radios|checkboxes)__input"[^>]* aria-controls="conditional-'
)
_ONLY_ARIA_EXPANDED = re.compile(r'^aria-expanded="(true|false)"$')


def _govuk_conditional_reveal(rule: str, node: dict[str, Any]) -> bool:
    """GOV.UK Frontend's own, documented finding: its script puts `aria-expanded` on a radio
    or checkbox that reveals a follow-up question, which ARIA does not list for those roles.

    The Design System keeps it on purpose, because screen readers announce it (known issue
    alphagov/govuk-frontend#979). Only that attribute, on that component, is let through;
    any other `aria-allowed-attr` failure still fails the audit.
    """
    if rule != "aria-allowed-attr" or not _CONDITIONAL_REVEAL.match(node.get("html", "")):
        return False
    failures = [check for key in ("any", "all", "none") for check in node.get(key, [])]
    attributes = [str(item) for check in failures for item in (check.get("data") or [])]
    return bool(attributes) and all(_ONLY_ARIA_EXPANDED.match(a) for a in attributes)


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        where = "\n      ".join(self.targets)
        return f"  {self.rule} ({self.impact}): {self.help}\n      {where}"


def failing_violations(axe_response: dict[str, Any]) -> list[Violation]:
    """The violations in an axe-core result that are moderate, serious or critical (less
    GOV.UK Frontend's documented conditional-reveal finding)."""
    found = []
    for violation in axe_response.get("violations", []):
        if violation.get("impact") not in FAILING_IMPACTS:
            continue
        nodes = [
            node
            for node in violation["nodes"]
            if not _govuk_conditional_reveal(violation["id"], node)
        ]
        if not nodes:
            continue
        targets = tuple(" ".join(str(part) for part in node.get("target", [])) for node in nodes)
        found.append(
            Violation(violation["id"], violation["impact"], violation.get("help", ""), targets)
        )
    return found


# The elements that reach past the right edge although their parent does not, outside any
# container that scrolls or clips on its own: what makes the page itself scroll sideways.
_WIDE_ELEMENTS = """() => {
  const edge = window.innerWidth + 0.5;
  const sticksOut = (element) => element.getBoundingClientRect().right > edge;
  // Roughly: a box taken out of the flow (as GOV.UK's visually hidden text is) escapes a
  // scrolling ancestor unless something between them is positioned.
  const clipped = (element) => {
    if (["absolute", "fixed"].includes(getComputedStyle(element).position)) return false;
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  return [...document.body.querySelectorAll("*")]
    .filter((element) => sticksOut(element) && !sticksOut(element.parentElement))
    .filter((element) => !clipped(element))
    .slice(0, 8)
    .map((element) => {
      const name = element.tagName.toLowerCase()
        + (element.id ? "#" + element.id : "")
        + [...element.classList].map((c) => "." + c).join("");
      const text = (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60);
      const right = Math.round(element.getBoundingClientRect().right);
      return `${name} (right edge at ${right}px)${text ? ": " + JSON.stringify(text) : ""}`;
    });
}"""


def reflow_problems(page: Page, width: int = REFLOW_WIDTH) -> list[str]:
    """Lay `page` out `width` CSS pixels wide and say what, if anything, makes it scroll
    sideways; the viewport is put back as it was."""
    before = page.viewport_size
    assert before is not None, "the reflow check needs a page with a fixed viewport"
    page.set_viewport_size({"width": width, "height": before["height"]})
    try:
        inner, scroll = page.evaluate(
            "() => [window.innerWidth, document.documentElement.scrollWidth]"
        )
        assert inner == width, f"the viewport is {inner}px wide, not {width}px"
        if scroll <= inner:
            return []
        return [f"the page is {scroll}px wide", *page.evaluate(_WIDE_ELEMENTS)]
    finally:
        page.set_viewport_size(before)


class Journey:
    """One browser tab on the live server, auditing every page it lands on."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.audited: list[str] = []
        self.unaudited: list[str] = []
        self.script_errors: list[str] = []
        self._pending: str | None = None
        # "load" fires once per new document, not for moves to a #fragment within a page.
        page.on("load", self._loaded)
        page.on("pageerror", lambda error: self.script_errors.append(f"{page.url}: {error}"))
        # The Content-Security-Policy blocks inline code without the page's nonce; Chromium says
        # so in the console. A page that trips it has a script or style that did not apply.
        self.policy_violations: list[str] = []
        page.on("console", self._console)

    # --- reaching pages ----------------------------------------------------------------

    def go(self, path: str) -> Response | None:
        """Open `path` (relative to the server) and audit the page."""
        response = self.page.goto(self.url(path))
        return self._arrived(response)

    def click(self, name: str, *, role: Literal["link", "button"] = "link") -> Response | None:
        """Follow the link (or press the button) called `name`, then audit the new page."""
        return self.navigate_by(self.page.get_by_role(role, name=name, exact=True).first)

    def submit(self, name: str = "Continue") -> Response | None:
        """Press the form button called `name` and audit the page that answers."""
        return self.click(name, role="button")

    def press(self, key: str = "Enter") -> Response | None:
        """Press `key` on the focused element, which must lead to another page, and audit it."""
        with self.page.expect_navigation() as navigation:
            self.page.keyboard.press(key)
        return self._arrived(navigation.value)

    def navigate_by(self, locator: Locator) -> Response | None:
        """Click `locator`, which must lead to another page, and audit that page."""
        with self.page.expect_navigation() as navigation:
            locator.click()
        return self._arrived(navigation.value)

    def _arrived(self, response: Response | None) -> Response | None:
        self.page.wait_for_load_state()
        if response is not None:
            assert response.status < 400, (
                f"{response.request.method} {response.url} answered {response.status}:\n"
                f"{self.main_text()[:2000]}"
            )
        self.audit()
        return response

    # --- checks ------------------------------------------------------------------------

    def audit(self) -> None:
        """Run axe-core on the current page and fail on any moderate, serious or critical
        violation; then fail if the page scrolls sideways at 320 CSS pixels wide."""
        try:
            result = _AXE.run(self.page)
        except PlaywrightError as exc:  # the page went away under the audit
            raise AssertionError(f"axe-core could not audit {self.page.url}: {exc}") from exc
        self.audited.append(self.page.url)
        self._pending = None
        violations = failing_violations(result.response)
        assert not violations, (
            f"axe-core found {len(violations)} accessibility violation(s) of moderate impact "
            f"or worse on {self.page.url}:\n" + "\n".join(str(v) for v in violations)
        )
        wide = reflow_problems(self.page)
        assert not wide, (
            f"{self.page.url} scrolls sideways at {REFLOW_WIDTH}px wide (WCAG 1.4.10): "
            + wide[0]
            + "; these reach past the edge:\n  "
            + "\n  ".join(wide[1:])
        )

    def heading(self) -> str:
        """The text of the page's one h1 (fails if there is not exactly one)."""
        headings = self.page.locator("h1")
        assert headings.count() == 1, f"{self.page.url} has {headings.count()} h1 elements"
        return " ".join(headings.first.inner_text().split())

    def expect_heading(self, pattern: str) -> None:
        text = self.heading()
        assert re.search(pattern, text, re.IGNORECASE), (
            f"expected an h1 matching {pattern!r} on {self.page.url}, found {text!r}"
        )

    def main_text(self) -> str:
        main = self.page.locator("main")
        return main.inner_text() if main.count() else self.page.content()

    def banners(self) -> str:
        """The text of the page's notification banners (where flashed messages show)."""
        return "\n".join(self.page.locator(".govuk-notification-banner").all_inner_texts())

    def error_summary(self) -> str:
        summary = self.page.locator(".govuk-error-summary")
        return summary.inner_text() if summary.count() else ""

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}{path}"

    # --- common steps -------------------------------------------------------------------

    def sign_in(self, email: str, password: str) -> None:
        """Sign in from the sign-in page, landing on the role's first page."""
        self.go("/sign-in")
        self.fill("Email address", email)
        self.fill("Password", password)
        self.submit("Sign in")
        assert not self.error_summary(), f"sign-in refused: {self.error_summary()}"

    # --- filling in forms --------------------------------------------------------------

    def fill(self, label: str, value: str) -> None:
        self.page.get_by_label(label, exact=True).fill(value)

    def choose(self, label: str) -> None:
        """Tick the radio or checkbox labelled `label`."""
        self.page.get_by_label(label, exact=True).check()

    # --- watching ----------------------------------------------------------------------

    def _loaded(self, page: Page) -> None:
        if self._pending is not None:
            self.unaudited.append(self._pending)
        self._pending = page.url

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.policy_violations.append(f"{self.page.url}: {message.text}")

    def finish(self) -> None:
        """Fail if a page was shown but never audited, or a script failed on any page."""
        unaudited = [*self.unaudited, *([self._pending] if self._pending else [])]
        problems = []
        if unaudited:
            problems.append("pages shown but not audited: " + ", ".join(unaudited))
        if self.script_errors:
            problems.append("JavaScript errors: " + "; ".join(self.script_errors))
        if self.policy_violations:
            problems.append(
                "Content-Security-Policy violations: " + "; ".join(self.policy_violations)
            )
        assert not problems, "\n".join(problems)


@contextmanager
def journey_on(page: Page, base_url: str) -> Iterator[Journey]:
    journey = Journey(page, base_url)
    yield journey
    journey.finish()
