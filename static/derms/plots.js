// Draws every figure with a data-plot attribute: {"x": [...], "y": [...], "x_label", "y_label", "time"}
// (uPlot, served from static/vendor). Used for curves on program pages and readings on device pages.
(function () {
  "use strict";
  if (typeof uPlot === "undefined") {
    return;
  }
  document.querySelectorAll("figure[data-plot]").forEach((figure) => {
    const plot = JSON.parse(figure.dataset.plot);
    const options = {
      width: Math.min(figure.parentElement.clientWidth || 480, 480),
      height: 180,
      scales: { x: { time: Boolean(plot.time) } },
      axes: [{ label: plot.x_label }, { label: plot.y_label }],
      series: [{}, { label: plot.y_label, stroke: "#1f6feb", width: 1.5, points: { show: !plot.time } }],
    };
    new uPlot(options, [plot.x, plot.y], figure);
  });
})();
