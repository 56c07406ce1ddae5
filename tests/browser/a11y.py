"""Checks a page in the browser the way the layout and accessibility test needs them: the layout at the current
viewport width (nothing wider than the viewport, no button whose text wraps) and axe-core's critical and
serious violations. axe-core is vendored under vendor/axe-core (see VERSIONS.txt) and injected into the page;
the platform never serves it. Pages are opened in a context made with ``bypass_csp=True`` so that the injected
script is allowed (the platform's Content-Security-Policy forbids inline scripts)."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("critical", "serious")

# What overflows the viewport (the outermost elements wider than it, not inside a horizontal scroll box) and
# which buttons wrap their text (the line boxes of their text sit on more than one line).
LAYOUT_JS = """
() => {
  const width = window.innerWidth;
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    const classes = (el.getAttribute("class") || "").trim().split(/\\s+/).filter(Boolean).slice(0, 3);
    if (classes.length) name += "." + classes.join(".");
    const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 30);
    return text ? name + " \\"" + text + "\\"" : name;
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const scrolls = (el) => ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(el).overflowX);
  const overflowing = [];
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width) {
    for (const el of document.body.querySelectorAll("*")) {
      if (!visible(el) || el.getBoundingClientRect().right <= width + 0.5) continue;
      let parent = el.parentElement, inner = false;
      while (parent && parent !== document.body) {
        if (scrolls(parent) || parent.getBoundingClientRect().right > width + 0.5) { inner = true; break; }
        parent = parent.parentElement;
      }
      if (!inner) overflowing.push(describe(el) + " (right edge " + Math.round(el.getBoundingClientRect().right) + " px)");
    }
  }
  const wrapped = [];
  // A link-styled button (.btn-link) that carries a sentence, like a link, may wrap.
  for (const button of document.querySelectorAll("button, .btn, input[type=submit], input[type=button]")) {
    if (!visible(button) || button.matches(".btn-link")) continue;
    const style = getComputedStyle(button);
    const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    let lines;
    if (button.tagName === "INPUT") {
      const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
      const border = parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
      lines = (button.getBoundingClientRect().height - padding - border) > 1.6 * lineHeight ? 2 : 1;
    } else {
      const tops = [];
      const walker = document.createTreeWalker(button, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const rect of range.getClientRects()) {
          if (rect.width > 0 && !tops.some((top) => Math.abs(top - rect.top) < lineHeight * 0.6)) tops.push(rect.top);
        }
      }
      lines = tops.length;
    }
    if (lines > 1) wrapped.push(describe(button));
  }
  // Table columns squeezed to a character or two per line by a long text in another column.
  const squeezed = [];
  for (const cell of document.querySelectorAll("main td, main th")) {
    if (!visible(cell) || getComputedStyle(cell).display !== "table-cell") continue;
    const text = (cell.innerText || "").trim();
    const style = getComputedStyle(cell);
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (text.length >= 3 && inner < 2.5 * parseFloat(style.fontSize)) squeezed.push(describe(cell) + " (" + Math.round(inner) + " px)");
  }
  // Ids used twice (labels and aria-describedby then point at the wrong element).
  const counts = {};
  for (const el of document.querySelectorAll("[id]")) counts[el.id] = (counts[el.id] || 0) + 1;
  const duplicates = Object.keys(counts).filter((id) => counts[id] > 1);
  return {scrollWidth: scrollWidth, width: width, overflowing: overflowing.slice(0, 8), wrapped: wrapped.slice(0, 8),
          squeezed: squeezed.slice(0, 5), duplicates: duplicates.slice(0, 8)};
}
"""

AXE_JS = """
async (impacts) => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.filter((v) => impacts.includes(v.impact)).map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.slice(0, 6).map((node) => node.target.join(" ")),
    count: v.nodes.length,
  }));
}
"""


def layout_problems(page) -> list[str]:
    found = page.evaluate(LAYOUT_JS)
    problems = []
    if found["scrollWidth"] > found["width"]:
        problems.append(
            f"page is {found['scrollWidth']} px wide in a {found['width']} px viewport: "
            + "; ".join(found["overflowing"] or ["(no single element named)"])
        )
    problems += [f"button text wraps: {name}" for name in found["wrapped"]]
    problems += [f"table column squeezed: {name}" for name in found["squeezed"]]
    problems += [f"duplicate id: {name}" for name in found["duplicates"]]
    return problems


def axe_problems(page) -> list[str]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_JS, list(BLOCKING_IMPACTS))
    return [
        f"axe {v['impact']} {v['id']} ({v['help']}) on {v['count']} element(s): " + " | ".join(v["targets"])
        for v in violations
    ]


def check(
    page, widths: tuple[int, ...], label: str, *, axe_widths: tuple[int, ...] | None = None
) -> list[str]:
    """Every problem of the page at each width, each line naming the page, the user and the width. axe-core
    runs at `axe_widths` (default: every width)."""
    problems = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": 900})
        found = layout_problems(page)
        if axe_widths is None or width in axe_widths:
            found += axe_problems(page)
        problems += [f"{label} @{width}px: {problem}" for problem in found]
    return problems
