"""Moving through a page with the keyboard alone, as a person who cannot use a mouse does.

`Stop` is where focus lands after a key press: what the element is, where it is on the page
and whether it shows GOV.UK's focus indicator (the yellow #ffdd00 outline, box shadow or
background; for radios and checkboxes, the ring drawn round the label's box). `KeyboardWalk`
presses the keys and keeps the stops in order, so a test can check that focus is visible at
each one, that the order follows the page from top to bottom and left to right, and that
focus goes back the way it came (no element keeps it).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page

FOCUS_COLOUR = "rgb(255, 221, 0)"
"""GOV.UK Frontend's focus colour, #ffdd00, as the browser computes it."""

_STOP = """(focusColour) => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const shows = (style) =>
    (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
      && style.outlineColor === focusColour)
    || style.boxShadow.includes(focusColour)
    || style.backgroundColor === focusColour;
  const choice = element.matches(".govuk-radios__input, .govuk-checkboxes__input");
  const label = choice && element.labels.length > 0 ? element.labels[0] : null;
  const indicator = () =>
    shows(getComputedStyle(element)) || (label && shows(getComputedStyle(label, "::before")));
  const box = element.getBoundingClientRect();
  const text = (element.innerText || element.value || element.getAttribute("aria-label") || "");
  // A radio group is one stop, whichever of its radios has focus; any other element is
  // itself, numbered the first time it is met so that two alike are still told apart.
  if (!element.dataset.walkId) {
    window.walkCount = (window.walkCount || 0) + 1;
    element.dataset.walkId = String(window.walkCount);
  }
  const key = element.type === "radio"
    ? "radio group " + element.name
    : element.dataset.walkId + " " + (element.id || element.name || text.trim().slice(0, 40));
  return {
    key: key,
    tag: element.tagName.toLowerCase(),
    type: element.type || "",
    name: element.name || "",
    value: element.value || "",
    checked: Boolean(element.checked),
    href: element.getAttribute("href") || "",
    text: text.trim().replace(/\\s+/g, " ").slice(0, 80),
    top: box.top + window.scrollY,
    bottom: box.bottom + window.scrollY,
    left: box.left + window.scrollX,
    right: box.right + window.scrollX,
    focus_visible: Boolean(indicator()),
    skip_link: element.classList.contains("govuk-skip-link"),
  };
}"""


@dataclass(frozen=True)
class Stop:
    key: str
    tag: str
    type: str
    name: str
    value: str
    checked: bool
    href: str
    text: str
    top: float
    bottom: float
    left: float
    right: float
    focus_visible: bool
    skip_link: bool

    def __str__(self) -> str:
        return f"<{self.tag} {self.type}> {self.key!r} at ({self.left:.0f}, {self.top:.0f})"

    def comes_after(self, other: Stop) -> bool:
        """In reading order: on a later line, or further right on the same line."""
        if self.top >= other.bottom - 2:
            return True
        same_line = min(self.bottom, other.bottom) - max(self.top, other.top) > 0
        return same_line and self.left > other.left


def focused(page: Page) -> Stop | None:
    found: dict[str, Any] | None = page.evaluate(_STOP, FOCUS_COLOUR)
    return Stop(**found) if found else None


class KeyboardWalk:
    """Tab through one page, keeping every stop; fail at once if focus stays put."""

    def __init__(self, page: Page, limit: int = 80) -> None:
        self.page = page
        self.limit = limit
        self.stops: list[Stop] = []

    def tab(self, key: str = "Tab") -> Stop:
        before = focused(self.page)
        self.page.keyboard.press(key)
        after = focused(self.page)
        assert after is not None, f"{key} from {before} left the page: nothing in it has focus"
        assert before is None or after.key != before.key, (
            f"focus stayed on {after} after {key}: a keyboard trap"
        )
        self.stops.append(after)
        return after

    def tab_until(self, wanted: Callable[[Stop], bool], what: str) -> Stop:
        """Press Tab until the focused element is `wanted`; fail after `limit` presses."""
        for _ in range(self.limit):
            stop = self.tab()
            if wanted(stop):
                return stop
        raise AssertionError(f"{what} was not reached in {self.limit} presses of Tab")

    def check_focus_was_visible(self) -> None:
        hidden = [str(stop) for stop in self.stops if not stop.focus_visible]
        assert not hidden, "focus was not visible on:\n  " + "\n  ".join(hidden)

    def check_order_follows_the_page(self) -> None:
        """Each stop after the skip link comes after the one before it on the page."""
        stops = [stop for stop in self.stops if not stop.skip_link]
        backwards = [
            f"{later} comes before {earlier}"
            for earlier, later in itertools.pairwise(stops)
            if not later.comes_after(earlier)
        ]
        assert not backwards, "tab order leaves the visual order:\n  " + "\n  ".join(backwards)

    def check_shift_tab_retraces(self) -> None:
        """Shift+Tab from the last stop visits every stop again, in reverse, back to the first;
        Tab then returns to the last. Focus never sticks on the way."""
        forward = [stop.key for stop in self.stops]
        back = [forward[-1]]
        for _ in forward[:-1]:
            self.page.keyboard.press("Shift+Tab")
            stop = focused(self.page)
            assert stop is not None, "Shift+Tab left nothing focused"
            back.append(stop.key)
        assert back == forward[::-1], (
            "Shift+Tab did not retrace the way Tab came:\n"
            f"  Tab:       {forward}\n  Shift+Tab: {back[::-1]}"
        )
        for _ in forward[:-1]:
            self.page.keyboard.press("Tab")
        last = focused(self.page)
        assert last is not None, "Tab left the page on the way back"
        assert last.key == forward[-1], f"Tab came back to {last}, not {forward[-1]}"


def is_button(text: str) -> Callable[[Stop], bool]:
    return lambda stop: stop.tag == "button" and stop.text == text


def is_link(pattern: str) -> Callable[[Stop], bool]:
    return lambda stop: stop.tag == "a" and re.fullmatch(pattern, stop.text) is not None


def is_link_to(href: str) -> Callable[[Stop], bool]:
    return lambda stop: stop.tag == "a" and stop.href == href


def is_field(name: str) -> Callable[[Stop], bool]:
    return lambda stop: stop.name == name
