// Draws every figure with a data-plot attribute: {"x": [...], "y": [...], "x_label", "y_label", "time",
// "step", "names"} (uPlot, served from static/vendor). Used for curves on program pages, and readings and
// DERStatus history on device pages: a status holds until the next report (step), and its legend names
// each code ("names": {"2": "operational mode"}).
(function () {
  "use strict";
  if (typeof uPlot === "undefined") {
    return;
  }
  document.querySelectorAll("figure[data-plot]").forEach((figure) => {
    const plot = JSON.parse(figure.dataset.plot);
    const names = plot.names || {};
    const coded = Object.keys(names).length > 0;
    const series = { label: plot.y_label, stroke: "#1f6feb", width: 1.5, points: { show: !plot.time } };
    if (plot.step) {
      series.paths = uPlot.paths.stepped({ align: 1 });
    }
    if (coded) {
      series.value = (u, value) => (value == null ? "—" : names[String(value)] || value);
    }
    const options = {
      width: Math.min(figure.parentElement.clientWidth || 480, 480),
      height: 180,
      scales: { x: { time: Boolean(plot.time) } },
      // Codes and bitmaps are whole numbers: no ticks between them.
      axes: [{ label: plot.x_label }, coded ? { label: plot.y_label, incrs: [1, 2, 4, 8] } : { label: plot.y_label }],
      series: [{}, series],
    };
    new uPlot(options, [plot.x, plot.y], figure);
  });
})();
