"""Helpers for the browser journeys: one check per page reached, keyboard moves, screenshots.

`check_page` is what makes every journey an accessibility test too: on each page a journey
reaches it runs axe-core (fails on serious/critical), saves screenshots at 375 px and 1280 px,
and at 375 px asserts the page does not scroll sideways and that the controls in the header,
navigation and forms are at least 44 px tall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from playwright.sync_api import Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = settings.PROJECT_DIR / "artifacts" / "screenshots"
AXE_URL = "/static/vendor/axe-core-4.14.1/axe.min.js"
MOBILE: ViewportSize = {"width": 375, "height": 812}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
MIN_TAP = 43.5  # 44 px, allowing for sub-pixel layout

# WCAG 2.0–2.2 A/AA (what JIS X 8341-3 asks) plus axe's best practices (landmarks, headings).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}
# Structure rules axe rates "moderate" that the issue asks for by name (landmarks, headings):
# they fail whatever their impact.
STRUCTURE_RULES = {"landmark-one-main", "page-has-heading-one", "region", "landmark-no-duplicate-banner",
                   "landmark-no-duplicate-contentinfo", "landmark-unique"}

_AXE_RUN = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + (n.failureSummary || "").replace(/\\s+/g, " ")),
  }));
}
"""

_TAP_TARGETS = """
() => Array.from(document.querySelectorAll(
    ".site-header a, .site-header button, .site-header input[type=submit], nav a, "
  + "main form button, main form input[type=submit], main a.button, main .pagination a"))
  .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden")
  .map(el => { const r = el.getBoundingClientRect();
               return {what: el.tagName.toLowerCase() + " " + ((el.textContent || el.value || "").trim().slice(0, 30)),
                       w: Math.round(r.width), h: Math.round(r.height)}; })
"""

_WIDE_ELEMENTS = """
() => { const limit = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll("body *"))
    .filter(el => el.getBoundingClientRect().right > limit + 1)
    .slice(0, 8)
    .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "")
               + " right=" + Math.round(el.getBoundingClientRect().right)); }
"""


@dataclass
class Journey:
    """One journey through the site: its name (for screenshot files) and what it saw."""

    name: str
    pages: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        # CSP refusals, JavaScript errors and missing styles/scripts fail a journey. A page itself
        # answering 400 (a form with errors) or 409 is a designed answer, not a failure, so failed
        # loads are judged by the response listener, which knows the resource type.
        def on_console(msg: Any) -> None:
            if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
                self.console_errors.append(msg.text)

        def on_response(response: Any) -> None:
            if response.status >= 400 and response.request.resource_type != "document":
                self.console_errors.append(f"{response.status} for {response.request.resource_type} {response.url}")

        page.on("console", on_console)
        page.on("response", on_response)
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "page"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Return axe-core's serious and critical violations, and any structure violation, on the page as it is now."""
    origin = re.match(r"^https?://[^/]+", page.url)
    assert origin, page.url
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Served from our own origin, so the page's strict CSP (script-src 'self') stays on.
        page.add_script_tag(url=origin.group(0) + AXE_URL)
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN, AXE_TAGS)
    return [v for v in violations if v["impact"] in FAILING_IMPACTS or v["id"] in STRUCTURE_RULES]


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)


def check_page(page: Page, journey: Journey, name: str) -> None:
    """Run every per-page check on the current page; see the module docstring."""
    page.wait_for_load_state("load")
    journey.pages.append(f"{name}: {page.url}")
    violations = axe_violations(page)
    assert not violations, f"axe-core on {name} ({page.url}):\n{format_violations(violations)}"

    original = page.viewport_size or DESKTOP
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    try:
        for size in (MOBILE, DESKTOP):
            page.set_viewport_size(size)
            page.screenshot(path=str(SCREENSHOT_DIR / f"{slug(journey.name)}-{slug(name)}-{size['width']}.png"), full_page=True)
            if size is MOBILE:
                scroll, client = page.evaluate(
                    "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                )
                assert scroll <= client, (
                    f"{name} scrolls sideways at 375 px ({scroll} > {client}); too wide: {page.evaluate(_WIDE_ELEMENTS)}"
                )
                small = [t for t in page.evaluate(_TAP_TARGETS) if t["h"] < MIN_TAP or t["w"] < MIN_TAP]
                assert not small, f"tap targets under 44 px on {name} at 375 px: {small}"
    finally:
        page.set_viewport_size(original)
    assert not journey.console_errors, f"console errors by {name}: {journey.console_errors}"


_FOCUS_STATE = """
() => { const el = document.activeElement; if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), text: (el.textContent || el.value || el.name || "").trim().slice(0, 40),
          outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2,
          shadow: s.boxShadow !== "none"}; }
"""


def tab_to(page: Page, selector: str, *, limit: int = 80, backwards: bool = False) -> int:
    """Press Tab until the focused element matches `selector`; return how many presses it took.

    Every element the focus passes through must show a visible focus indicator (WCAG 2.4.7).
    """
    key = "Shift+Tab" if backwards else "Tab"
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        state = page.evaluate(_FOCUS_STATE)
        if state is not None:
            assert state["outline"] or state["shadow"], f"focus is not visible on {state} at {page.url}"
        if page.evaluate("(sel) => !!document.activeElement && document.activeElement.matches(sel)", selector):
            return presses
    raise AssertionError(f"{selector!r} not reached with {limit} × {key} on {page.url}")
