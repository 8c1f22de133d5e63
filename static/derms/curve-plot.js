// Draws a DERCurve's points as the dispatcher types them: the table's x and y, scaled by the curve's
// multipliers, on the curve type's axes (uPlot, served from static/vendor). The plotted points are also
// written to the figure's data-points, which says what the plot shows without reading its canvas.
(function () {
  "use strict";
  const figure = document.getElementById("curve-plot");
  const form = figure && figure.closest("form");
  if (!form || typeof uPlot === "undefined") {
    return;
  }
  const number = (name) => {
    const input = form.elements[name];
    return input && input.value.trim() !== "" ? Number(input.value) : null;
  };
  const points = () => {
    const scaleX = 10 ** (number("x_multiplier") || 0);
    const scaleY = 10 ** (number("y_multiplier") || 0);
    const found = [];
    for (let i = 0; form.elements["x_" + i]; i += 1) {
      const x = number("x_" + i);
      const y = number("y_" + i);
      if (x !== null && y !== null && Number.isFinite(x) && Number.isFinite(y)) {
        found.push([x * scaleX, y * scaleY]);
      }
    }
    return found;
  };
  const options = {
    width: Math.min(figure.clientWidth || 560, 720),
    height: 300,
    scales: { x: { time: false } },
    axes: [{ label: figure.dataset.xLabel }, { label: figure.dataset.yLabel }],
    series: [{}, { label: figure.dataset.yLabel, stroke: "#1f6feb", width: 2, points: { show: true, size: 7 } }],
  };
  const asData = (found) => [found.map((p) => p[0]), found.map((p) => p[1])];
  let shown = points();
  const plot = new uPlot(options, asData(shown), figure);
  const redraw = () => {
    shown = points();
    plot.setData(asData(shown));
    figure.dataset.points = JSON.stringify(shown);
  };
  figure.dataset.points = JSON.stringify(shown);
  form.addEventListener("input", redraw);
})();
