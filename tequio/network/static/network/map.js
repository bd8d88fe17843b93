// Zoom and pan for the server-drawn network map. Tequio's own code (AGPL-3.0-or-later).
// The map reads without it: this only adds "+", "-" and "whole map" buttons and, once
// zoomed in, dragging to move around, so that names are legible on a phone.
(function () {
  "use strict";
  function setUp(figure) {
    var svg = figure.querySelector("svg.network-map");
    if (!svg || figure.dataset.zoomReady) return;
    figure.dataset.zoomReady = "1";
    var home = svg.getAttribute("viewBox").split(/\s+/).map(Number);
    var view = home.slice();
    function apply() {
      svg.setAttribute("viewBox", view.map(function (v) { return Math.round(v * 10) / 10; }).join(" "));
      figure.classList.toggle("zoomed", view[2] < home[2] - 0.5);
    }
    function clamp() {
      view[0] = Math.min(Math.max(view[0], home[0]), home[0] + home[2] - view[2]);
      view[1] = Math.min(Math.max(view[1], home[1]), home[1] + home[3] - view[3]);
    }
    function zoom(factor, cx, cy) {
      var width = Math.min(Math.max(view[2] / factor, home[2] / 8), home[2]);
      var scale = width / view[2];
      if (cx === undefined) { cx = view[0] + view[2] / 2; cy = view[1] + view[3] / 2; }
      view = [cx - (cx - view[0]) * scale, cy - (cy - view[1]) * scale, view[2] * scale, view[3] * scale];
      clamp();
      apply();
    }
    var bar = document.createElement("div");
    bar.className = "map-tools";
    [["+", figure.dataset.zoomIn, function () { zoom(1.6); }],
     ["\u2212", figure.dataset.zoomOut, function () { zoom(1 / 1.6); }],
     [figure.dataset.zoomReset, figure.dataset.zoomReset, function () { view = home.slice(); apply(); }]
    ].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button secondary";
      button.textContent = spec[0];
      button.setAttribute("aria-label", spec[1]);
      button.addEventListener("click", spec[2]);
      bar.appendChild(button);
    });
    figure.insertBefore(bar, figure.firstChild);

    // Dragging moves the map only when zoomed in; otherwise the page scrolls as usual.
    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      if (!figure.classList.contains("zoomed")) return;
      drag = {x: event.clientX, y: event.clientY, view: view.slice(), moved: false};
      svg.setPointerCapture(event.pointerId);
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag) return;
      var rect = svg.getBoundingClientRect();
      var dx = (event.clientX - drag.x) * view[2] / rect.width;
      var dy = (event.clientY - drag.y) * view[3] / rect.height;
      if (Math.abs(dx) + Math.abs(dy) > 0) drag.moved = true;
      view[0] = drag.view[0] - dx;
      view[1] = drag.view[1] - dy;
      clamp();
      apply();
    });
    function stop() { drag = null; }
    svg.addEventListener("pointerup", stop);
    svg.addEventListener("pointercancel", stop);
    // A drag that ends on a circle must not follow its link.
    svg.addEventListener("click", function (event) {
      if (drag && drag.moved) event.preventDefault();
    }, true);
  }
  function all() { document.querySelectorAll("figure.map-wrap[data-zoom-in]").forEach(setUp); }
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("htmx:afterSettle", all);
})();
