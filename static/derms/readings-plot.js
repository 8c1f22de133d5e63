// Plots a DER's W, var, V and Hz readings on its device page, one small chart per MirrorMeterReading
// (uPlot, served from static/vendor). Times are the readings' starts, shown in the browser's local time.
(function () {
  "use strict";
  const source = document.getElementById("reading-series");
  if (!source || typeof uPlot === "undefined") {
    return;
  }
  const series = JSON.parse(source.textContent);
  document.querySelectorAll("figure.reading-plot").forEach((figure) => {
    const one = series[Number(figure.dataset.series)];
    const options = {
      width: Math.min(figure.parentElement.clientWidth || 480, 480),
      height: 180,
      axes: [{}, { label: one.unit }],
      series: [{}, { label: one.name, stroke: "#1f6feb", width: 1.5 }],
    };
    const data = [one.points.map((p) => p[0]), one.points.map((p) => p[1])];
    new uPlot(options, data, figure);
  });
})();
