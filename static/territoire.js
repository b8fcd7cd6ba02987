// Peers map of a territory page: every peer as a canvas circle (thousands stay fast), over the départements outline.
// Its keyboard and screen-reader equivalent is the table of peers under it, which a link above the map leads to.
(function () {
  "use strict";
  // The distinctions' scale of every map (static/map-distinctions.css, imported by territoire.css); canvas markers
  // cannot take a class, so they read its CSS variables.
  var ORDER = ["niveau_1", "niveau_2", "niveau_3", "niveau_4", "niveau_5", "badge", "bronze", "argent", "or", "non_publie", "autre", "jamais"];
  var LABELS = { niveau_1: "Niveau 1", niveau_2: "Niveau 2", niveau_3: "Niveau 3", niveau_4: "Niveau 4", niveau_5: "Niveau 5",
    badge: "Badge", bronze: "Label Bronze", argent: "Label Argent", or: "Label Or", non_publie: "Labellisé, niveau non publié",
    autre: "Autre distinction", jamais: "Jamais labellisé" };

  function key(distinction) {
    if (distinction === null || distinction === undefined) return "jamais";
    if (distinction === "") return "non_publie";
    return LABELS[distinction] ? distinction : "autre";
  }

  function style(k) {
    var css = getComputedStyle(document.documentElement);
    var colour = function (name) { return css.getPropertyValue("--md-" + name).trim(); };
    if (k === "jamais") return { radius: 4, weight: 1.5, color: "#fff", fillColor: colour("jamais"), fillOpacity: 1 };  // a small dark dot
    return { radius: 6, weight: k === "non_publie" ? 3 : 1.5, color: colour("outline"), fillColor: colour(k), fillOpacity: 1 };
  }

  function percentile(values, p) {
    if (!values.length) return 0;
    values.sort(function (a, b) { return a - b; });
    return values[Math.min(values.length - 1, Math.floor(p * values.length))];
  }

  function legend(map, counts) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "legende-carte md-legend");
      L.DomUtil.create("strong", "", div).textContent = "Dernière distinction";
      ORDER.filter(function (k) { return counts[k]; }).forEach(function (k) {
        var row = L.DomUtil.create("div", "md-legend-item", div);
        L.DomUtil.create("span", "md-swatch md-" + k, row);
        row.appendChild(document.createTextNode(LABELS[k] + " "));
        L.DomUtil.create("span", "md-count", row).textContent = "(" + counts[k] + ")";
      });
      return div;
    };
    control.addTo(map);
  }

  function draw(container, data) {
    var started = performance.now();
    var lat = parseFloat(container.dataset.lat), lon = parseFloat(container.dataset.lon);
    var markers = data.peers.markers;
    L.Control.Zoom.mergeOptions({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" });
    var map = L.map(container, { preferCanvas: true, scrollWheelZoom: false });
    L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: '&copy; les contributeurs d\'<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
    }).addTo(map);
    // Centred on the territory; the zoom fits most peers (95th percentile), so far-off overseas peers do not zoom out to the world.
    var dlat = percentile(markers.map(function (m) { return Math.abs(m[0] - lat); }), 0.95) || 0.2;
    var dlon = percentile(markers.map(function (m) { return Math.abs(m[1] - lon); }), 0.95) || 0.3;
    var zoom = map.getBoundsZoom(L.latLngBounds([lat - dlat, lon - dlon], [lat + dlat, lon + dlon]));
    map.setView([lat, lon], Math.max(4, Math.min(zoom, 12)));
    fetch(container.dataset.fond).then(function (r) { return r.ok ? r.json() : null; }).then(function (geojson) {
      if (geojson) L.geoJSON(geojson, { interactive: false, style: { color: "#777", weight: 1, fill: false } }).addTo(map).bringToBack();
    }).catch(function () {});
    // The territory itself: a red ring drawn first, so that every peer (drawn after, on the same canvas) stays above it.
    L.circleMarker([lat, lon], { radius: 11, weight: 3, color: "#c62828", fill: false, interactive: false })
      .bindTooltip(container.dataset.nom, { permanent: true, direction: "top", offset: [0, -10] }).addTo(map);
    var layer = L.featureGroup(), counts = {}, styles = {}, entries = [];
    ORDER.forEach(function (k) { styles[k] = style(k); });
    markers.slice().sort(function (a, b) { return (a[4] === null) - (b[4] === null); }).reverse().forEach(function (m) {
      var k = key(m[4]);
      counts[k] = (counts[k] || 0) + 1;
      var marker = L.circleMarker([m[0], m[1]], styles[k]);
      marker.bindPopup(function () {
        var a = document.createElement("a");
        a.href = "/territoire/" + m[2];
        a.textContent = m[3];
        var p = document.createElement("div");
        p.appendChild(a);
        p.appendChild(document.createTextNode(" — " + (m[5] || "jamais labellisé")));
        return p;
      });
      layer.addLayer(marker);
      entries.push({ id: m[2], marker: marker, style: styles[k] });
    });
    layer.addTo(map);
    legend(map, counts);
    container.dataset.markers = String(markers.length);
    container.dataset.drawMs = String(Math.round(performance.now() - started));
    container.dataset.readyAt = String(Math.round(performance.now()));
    container.dataset.state = "ready";
    // static/comparaison.js recolours the markers by an open indicator.
    container.dispatchEvent(new CustomEvent("carte-prete", { detail: { entries: entries, data: data } }));
  }

  function init() {
    var container = document.getElementById("carte-pairs");
    if (!container || !container.dataset.lat) return;
    var started = performance.now();
    // datasette-leaflet ships Leaflet as an ES module that also sets window.L, as datasette-cluster-map uses it;
    // its script on every page says where the module is.
    Promise.all([
      import(window.datasette.leaflet.JAVASCRIPT_URL),
      fetch(container.dataset.json).then(function (r) { return r.json(); })
    ]).then(function (loaded) {
      draw(container, loaded[1]);
      container.dataset.totalMs = String(Math.round(performance.now() - started));
    }).catch(function () { container.textContent = "La carte n'a pas pu être chargée."; });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
