// The embedded map (/embed/carte): markers written in the page, drawn as canvas circles over the départements
// outline; Leaflet is datasette-leaflet's module, loaded just before this one (it sets window.L).
const container = document.getElementById("carte");
const markers = JSON.parse(document.getElementById("marqueurs").textContent);
L.Control.Zoom.mergeOptions({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" });
const map = L.map(container, { preferCanvas: true, scrollWheelZoom: false, zoomSnap: 0.25 });
if (container.dataset.tuiles) {
  L.tileLayer(container.dataset.tuiles, {
    maxZoom: 19, attribution: '&copy; les contributeurs d\'<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
  }).addTo(map);
}
// Metropolitan France in view; overseas markers stay on the map, a drag away (as on the full map).
const METROPOLE = L.latLngBounds([41.3, -5.3], [51.2, 9.7]);
const inside = markers.filter((m) => METROPOLE.contains([m.lat, m.lon])).map((m) => [m.lat, m.lon]);
map.fitBounds(inside.length ? L.latLngBounds(inside).pad(0.15) : METROPOLE, { maxZoom: 10 });

const legend = {};
for (const m of markers) {
  legend[m.distinction] = m.couleur;
  // The site's palette (tnl/distinction_style.py); « niveau non publié » is white with a thick outline, as on every map.
  L.circleMarker([m.lat, m.lon], { radius: 7, weight: m.cle === "non_publie" ? 3 : 1.5, color: "#1f1f1f", fillColor: m.couleur, fillOpacity: 1 })
    .bindPopup(() => {
      const p = document.createElement("div");
      const a = document.createElement("a");
      a.href = container.dataset.territoire + encodeURIComponent(m.id);
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = m.nom;
      p.append(a, ` — ${m.distinction} (${m.edition})`);
      return p;
    })
    .addTo(map);
}
container.dataset.markers = String(markers.length);
container.dataset.firstMarkerAt = String(Math.round(performance.now()));

const control = L.control({ position: "bottomright" });
control.onAdd = () => {
  const div = L.DomUtil.create("div", "legende");
  for (const [label, colour] of Object.entries(legend)) {
    const row = L.DomUtil.create("div", "", div);
    L.DomUtil.create("span", "pastille", row).style.background = colour;
    row.append(label);
  }
  div.hidden = !markers.length;
  return div;
};
control.addTo(map);

fetch(container.dataset.fond)
  .then((r) => (r.ok ? r.json() : null))
  .then((geojson) => {
    if (geojson) L.geoJSON(geojson, { interactive: false, style: { color: "#8a8f96", weight: 1, fill: false } }).addTo(map).bringToBack();
    container.dataset.state = "ready";
  })
  .catch(() => { container.dataset.state = "ready"; });
