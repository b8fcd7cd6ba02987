// Peers map of a territory page: every peer as a canvas circle (thousands stay fast), over the départements outline.
(function () {
  "use strict";
  var COLOURS = { or: "#c9a227", argent: "#8a96a3", bronze: "#b0703c", badge: "#3b7dd8", "": "#7cb342" };
  var NEVER = "#c4c4c4";

  function colour(distinction) {
    if (distinction === null || distinction === undefined) return NEVER;
    if (distinction.indexOf("niveau_") === 0) return "#2e7d32";
    return COLOURS[distinction] || "#2e7d32";
  }

  function percentile(values, p) {
    if (!values.length) return 0;
    values.sort(function (a, b) { return a - b; });
    return values[Math.min(values.length - 1, Math.floor(p * values.length))];
  }

  function legend(map) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "legende-carte");
      [["Label Or", COLOURS.or], ["Label Argent", COLOURS.argent], ["Label Bronze", COLOURS.bronze], ["Badge", COLOURS.badge],
       ["Niveaux 1 à 5 (jusqu'en 2024)", "#2e7d32"], ["Labellisé, niveau non publié", COLOURS[""]], ["Jamais labellisé", NEVER]]
        .forEach(function (entry) {
          var row = L.DomUtil.create("div", "", div);
          var dot = L.DomUtil.create("span", "pastille", row);
          dot.style.background = entry[1];
          row.appendChild(document.createTextNode(entry[0]));
        });
      return div;
    };
    control.addTo(map);
  }

  function draw(container, data) {
    var started = performance.now();
    var lat = parseFloat(container.dataset.lat), lon = parseFloat(container.dataset.lon);
    var markers = data.peers.markers;
    var map = L.map(container, { preferCanvas: true, scrollWheelZoom: false });
    L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
    }).addTo(map);
    // Centred on the territory; the zoom fits most peers (95th percentile), so far-off overseas peers do not zoom out to the world.
    var dlat = percentile(markers.map(function (m) { return Math.abs(m[0] - lat); }), 0.95) || 0.2;
    var dlon = percentile(markers.map(function (m) { return Math.abs(m[1] - lon); }), 0.95) || 0.3;
    var zoom = map.getBoundsZoom(L.latLngBounds([lat - dlat, lon - dlon], [lat + dlat, lon + dlon]));
    map.setView([lat, lon], Math.max(4, Math.min(zoom, 12)));
    fetch(container.dataset.fond).then(function (r) { return r.ok ? r.json() : null; }).then(function (geojson) {
      if (geojson) L.geoJSON(geojson, { interactive: false, style: { color: "#777", weight: 1, fill: false } }).addTo(map).bringToBack();
    }).catch(function () {});
    var layer = L.featureGroup();
    markers.slice().sort(function (a, b) { return (a[4] === null) - (b[4] === null); }).reverse().forEach(function (m) {
      var marker = L.circleMarker([m[0], m[1]], {
        radius: m[4] === null ? 4 : 6, weight: 1, color: "#333", fillColor: colour(m[4]), fillOpacity: 0.9
      });
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
    });
    layer.addTo(map);
    L.circleMarker([lat, lon], { radius: 9, weight: 3, color: "#c62828", fillColor: "#fff", fillOpacity: 1 })
      .bindTooltip(container.dataset.nom, { permanent: true, direction: "top", offset: [0, -8] }).addTo(map);
    legend(map);
    container.dataset.markers = String(markers.length);
    container.dataset.drawMs = String(Math.round(performance.now() - started));
    container.dataset.readyAt = String(Math.round(performance.now()));
    container.dataset.state = "ready";
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
