"""The dashboard's county map (issue 14 item 4): the labels of the seven districts and counties do not
overlap (金安区 and 裕安区, whose seats lie 6 km apart in the city proper, did), and a rate shows "%" in the
labels, the scale, the trend's axis and the table."""

import pytest

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

COUNTIES = ("金安区", "裕安区", "叶集区", "霍邱县", "舒城县", "金寨县", "霍山县")

# The drawn labels of the map: text and bounding box in pixels, read from ECharts' scene graph.
LABELS = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById('county-map'));
  const out = [];
  function visit(el) {
    const label = el.getTextContent && el.getTextContent();
    for (const t of [el, label]) {
      if (t && t.type === 'text' && t.style && t.style.text && !t.ignore && !t.invisible) {
        const r = t.getBoundingRect().clone();
        r.applyTransform(t.getComputedTransform());
        out.push({text: t.style.text, x: r.x, y: r.y, width: r.width, height: r.height});
      }
    }
    if (el.isGroup) el.children().forEach(visit);
  }
  chart.getZr().storage.getRoots().forEach(visit);
  return out;
}"""


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def drawn_labels(page, server, query: str) -> list[dict]:
    page.goto(f"{server.url}/reports/dashboard/?{query}", wait_until="networkidle")
    page.wait_for_function(
        "() => { const c = echarts.getInstanceByDom(document.getElementById('county-map'));"
        " return c && c.getOption().series && c.getOption().series[0].map === 'liuan'; }"
    )
    page.wait_for_timeout(300)  # the first frame after setOption
    return page.evaluate(LABELS)


def test_county_labels_do_not_overlap_and_rates_show_percent(server, page):
    login(page, server, "office")
    labels = drawn_labels(page, server, "indicator=cases.clearance_rate")
    screenshot(page, "dashboard-map-rate")
    regions = [label for label in labels if label["text"].split("\n")[0] in COUNTIES]
    assert sorted(label["text"].split("\n")[0] for label in regions) == sorted(COUNTIES)
    for i, a in enumerate(regions):
        for b in regions[i + 1 :]:
            assert not overlap(a, b), f"{a['text']!r} overlaps {b['text']!r}"
    # A figure is a rate: "66.7%"; a county without cases says so instead of showing a number.
    for label in regions:
        value = label["text"].split("\n")[1]
        assert value.endswith("%") or not any(ch.isdigit() for ch in value), label["text"]
    scale = [label["text"] for label in labels if label["text"].split("\n")[0] not in COUNTIES]
    assert scale and all(text.endswith("%") for text in scale), scale
    table = page.locator("table.table td.text-end").all_inner_texts()
    assert all(text.endswith("%") or text == "—" for text in table), table
    axis = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('trend')).getOption().yAxis[0].axisLabel.formatter"
    )
    assert axis == "{value}%"


def test_a_count_shows_the_bare_number(server, page):
    login(page, server, "office")
    labels = drawn_labels(page, server, "indicator=dna.samples_collected")
    regions = [label for label in labels if label["text"].split("\n")[0] in COUNTIES]
    assert len(regions) == len(COUNTIES)
    assert not any(label["text"].endswith("%") for label in labels)
