// Colours the peers' map of a territory page by an open indicator (or back by the label's distinction), and says in
// text what the colours mean; the same information is in the comparison table (#comparaison) for keyboard and
// screen-reader users.
(function () {
  "use strict";
  var HOLDS = { fillColor: "#1565c0", color: "#0d3c75", radius: 6, weight: 1.5, fillOpacity: 1 };
  var ZERO = { fillColor: "#ffb74d", color: "#8a4b00", radius: 5, weight: 1.5, fillOpacity: 1 };
  var NONE = { color: "#9e9e9e", radius: 3, weight: 1, fillOpacity: 0 };

  function init() {
    var container = document.getElementById("carte-pairs");
    var select = document.getElementById("couleur-pairs");
    var legend = document.getElementById("legende-comparaison");
    if (!container || !select) return;
    container.addEventListener("carte-prete", function (event) {
      var entries = event.detail.entries, indicators = {};
      (event.detail.data.comparison.indicators || []).forEach(function (i) { indicators[i.code] = i; });
      function apply() {
        var indicator = indicators[select.value];
        var distinctionLegend = container.querySelector(".legende-carte");
        if (distinctionLegend) distinctionLegend.hidden = Boolean(indicator);
        if (!indicator) {
          entries.forEach(function (e) { e.marker.setStyle(e.style); e.marker.setRadius(e.style.radius); });
          legend.textContent = "";
          container.dataset.colour = "";
          return;
        }
        var values = {};
        indicator.peers.forEach(function (p) { values[p.id] = HOLDS; });
        indicator.peers_zero.forEach(function (id) { values[id] = ZERO; });
        entries.forEach(function (e) {
          var style = values[e.id] || NONE;
          e.marker.setStyle(style);
          e.marker.setRadius(style.radius);
        });
        legend.textContent = "Bleu : " + indicator.peers_text +
          (indicator.peers_zero.length ? " ; orange : " + indicator.peers_zero.length + " avec une plateforme propriétaire" : "") +
          " ; cercle gris : les autres pairs (non recensés). Source : " +
          indicator.source + ", " + indicator.as_of + ".";
        container.dataset.colour = indicator.code;
      }
      select.addEventListener("change", apply);
      apply();
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
