// Colours datasette-cluster-map's markers by distinction, with a French legend, over an outline of the départements.
// cluster-map 0.18 offers no hook (no event; its map, rows and functions stay inside its module), so rather than
// replace it this script only watches it: Leaflet init hooks see the map and markers it creates, and its own JSON
// request is read on the way, to add the `popup` object it documents (and escapes) and to know which row each new
// marker stands for. If cluster-map changes, markers fall back to its defaults; nothing breaks. That request only
// gains `_nofacet=1`: the map shows no facets, and computing them cost Datasette more than the markers' rows.
// Maps first: cluster-map is told to draw into a zone right under the title (its documented `container`), with the
// facets beside it or folded above it, and every facet link and filter lands back on the map (#carte).

const config = window.MAP_DISTINCTIONS || {};

const DISTINCTIONS = [
  ["niveau_1", "Niveau 1"],
  ["niveau_2", "Niveau 2"],
  ["niveau_3", "Niveau 3"],
  ["niveau_4", "Niveau 4"],
  ["niveau_5", "Niveau 5"],
  ["badge", "Badge"],
  ["bronze", "Label Bronze"],
  ["argent", "Label Argent"],
  ["or", "Label Or"],
  ["non_publie", "Labellisé, niveau non publié"],
  ["autre", "Distinction non renseignée"],
  ["territoire", "Territoire"], // a table without distinctions (territories): no distinction is claimed missing
];
const LABELS = Object.fromEntries(DISTINCTIONS);

const ZOOM_TITLES = { zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" };
const METROPOLE = [[41.3, -5.3], [51.2, 9.7]];
const ZONES = [
  ["France métropolitaine", METROPOLE], // not « Métropole », which is also a kind of EPCI
  ["Guadeloupe", [[15.8, -61.9], [16.6, -60.9]]],
  ["Martinique", [[14.35, -61.3], [14.9, -60.75]]],
  ["Guyane", [[2.1, -54.7], [5.8, -51.5]]],
  ["La Réunion", [[-21.4, 55.2], [-20.85, 55.85]]],
  ["Mayotte", [[-13.05, 44.95], [-12.6, 45.35]]],
];

// cluster-map 0.18 writes its loading progress in English, with no option for it (« Showing 2,000 of 36,258 (5.52%) »
// and a « load all » or « pause » button): the same words in French as they appear.
const PROGRESS = /^Showing (.+) of (.+?)(?: \((.+)%\))? *$/;
const BUTTONS = { "load all": "tout charger", pause: "pause" };
const frenchProgress = (slot) => {
  const translate = () => {
    for (const node of slot.querySelectorAll("div")) {
      const text = node.firstChild;
      const match = text && text.nodeType === Node.TEXT_NODE && PROGRESS.exec(text.textContent);
      if (match) {
        const share = match[3] ? ` (${match[3].replace(".", ",")} %)` : "";
        text.textContent = `${match[1]} territoires affichés sur ${match[2]}${share} `;
      }
    }
    for (const button of slot.querySelectorAll(".cluster-map-button")) {
      if (button.textContent in BUTTONS) button.textContent = BUTTONS[button.textContent];
    }
  };
  new MutationObserver(translate).observe(slot, { childList: true, subtree: true });
};

// Runs before cluster-map's DOMContentLoaded handler: module scripts run once the document is parsed.
const placeMap = () => {
  const header = document.querySelector(".page-header") || document.querySelector(".content h1");
  if (!header) return;
  const zone = document.createElement("section");
  zone.id = "carte";
  zone.className = "carte-zone";
  zone.setAttribute("aria-label", "Carte");
  const list = document.querySelector(".table-wrapper") || document.querySelector("table.rows-and-columns");
  if (list && !list.id) list.id = "liste";
  const links = document.createElement("p");
  links.className = "carte-liens";
  links.innerHTML = '<a href="#liste">Passer la carte : les mêmes territoires en liste</a>';
  const slot = document.createElement("div");
  slot.className = "carte-emplacement";
  const facets = document.querySelector(".facet-results");
  if (facets) {
    const details = document.createElement("details");
    details.className = "filtres-carte";
    details.open = window.matchMedia("(min-width: 960px)").matches;
    details.innerHTML = "<summary>Filtrer la carte</summary>";
    details.append(facets);
    zone.append(details);
  }
  zone.append(links, slot);
  header.after(zone);
  // Keyboard: the facets and filters come before the map; a skip link, second after « Aller au contenu », lands on
  // the first marker (or cluster) of the map.
  const skip = document.createElement("a");
  skip.className = "lien-evitement";
  skip.href = "#carte";
  skip.textContent = "Aller aux marqueurs de la carte";
  skip.addEventListener("click", (event) => {
    const first = zone.querySelector(".leaflet-marker-pane [tabindex]") || zone.querySelector(".leaflet-container");
    if (!first) return;
    event.preventDefault();
    first.focus();
  });
  const contentSkip = document.querySelector(".lien-evitement");
  if (contentSkip) contentSkip.after(skip);
  else document.body.prepend(skip);
  window.DATASETTE_CLUSTER_MAP_CONTAINER = "#carte .carte-emplacement";
  frenchProgress(slot);
  // A facet or a filter reloads the page: land on the map, not at the top.
  zone.querySelectorAll(".facet-results a[href]").forEach((a) => (a.hash = "carte"));
  const filters = document.querySelector("form.filters");
  if (filters) filters.action = filters.action.split("#")[0] + "#carte";
};
placeMap();

const pending = []; // rows with a point, in the order cluster-map creates their markers
const drawn = []; // {latlng, key} of each marker styled here
let legendTitle = "Distinction";
let refreshControls = () => {};

const field = (row, ...names) => {
  for (const name of names) {
    if (name in row) {
      const v = row[name];
      return v !== null && typeof v === "object" && "value" in v ? v.value : v;
    }
  }
  return undefined;
};

const columnNamed = (row, name) => Object.keys(row).find((key) => key.toLowerCase() === (name || "").toLowerCase());

const distinctionKey = (row) => {
  const id = field(row, "distinction", "latest_distinction");
  if (id === undefined) return "territoire";
  if (id === null || id === "") return "non_publie";
  return id in LABELS ? id : "autre";
};

const readRows = (data) => {
  const rows = (data && data.rows) || [];
  if (rows.length && "latest_distinction" in rows[0]) legendTitle = "Dernière distinction";
  else if (rows.length && !("distinction" in rows[0])) legendTitle = "Sur la carte";
  for (const row of rows) {
    const key = distinctionKey(row);
    const name = String(field(row, "name", "name_as_published") ?? "");
    const id = field(row, "territory_id", "id");
    const edition = field(row, "edition", "latest_edition");
    if (!("popup" in row)) {
      row.popup = {
        title: name,
        description: [LABELS[key], edition != null ? `édition ${edition}` : ""].filter(Boolean).join(" · "),
        link: id != null ? (config.territory || "/territoire/") + encodeURIComponent(id) : "",
      };
    }
    const lat = row[columnNamed(row, window.DATASETTE_CLUSTER_MAP_LATITUDE_COLUMN)];
    const lng = row[columnNamed(row, window.DATASETTE_CLUSTER_MAP_LONGITUDE_COLUMN)];
    // Same test as cluster-map, so that pending rows and created markers stay in step.
    if (Math.abs(parseFloat(lat)) <= 90 && Math.abs(parseFloat(lng)) <= 180) {
      pending.push({ lat: +lat, lng: +lng, key, name });
    }
  }
  setTimeout(() => refreshControls(), 0);
  return data;
};

const isClusterMapRequest = (resource) => {
  const url = new URL(resource instanceof Request ? resource.url : String(resource), location.href);
  return url.pathname === location.pathname + ".json" && url.searchParams.get("_shape") === "objects";
};

// Datasette keeps `_nofacet` in the `next_url` of each page, so every page of markers skips the facets.
const withoutFacets = (resource) => {
  const url = new URL(resource instanceof Request ? resource.url : String(resource), location.href);
  url.searchParams.set("_nofacet", "1");
  return resource instanceof Request ? new Request(url, resource) : url.href;
};

const originalFetch = window.fetch;
window.fetch = function (resource, options) {
  if (!isClusterMapRequest(resource)) return originalFetch.apply(this, arguments);
  return originalFetch.call(this, withoutFacets(resource), options).then((r) => {
    const json = r.json.bind(r);
    r.json = () => json().then(readRows);
    return r;
  });
};

const control = (position, className, render) => {
  const c = L.control({ position });
  c.onAdd = () => {
    const div = L.DomUtil.create("div", className);
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  c.render = () => render(c.getContainer());
  return c;
};

const element = (tag, className, text) => {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
};

const setUp = (map) => {
  const container = map.getContainer();
  container.classList.add("map-distinctions");
  config.map = map; // reachable from the tests and the console

  map.on("layeradd", ({ layer }) => {
    if (layer instanceof L.TileLayer) layer.once("tileload", () => container.classList.add("md-tiles"));
  });
  fetch(config.outline)
    .then((r) => (r.ok ? r.json() : null))
    .then((geojson) => {
      if (geojson) L.geoJSON(geojson, { interactive: false, style: { className: "md-outline" } }).addTo(map);
    })
    .catch(() => {});

  // cluster-map frames every marker: keep the metropolitan ones in view, the overseas ones a click away. Only bounds
  // that straddle the metropole and overseas are reframed: a cluster's own bounds (a click zooms into it) are kept.
  const fitBounds = map.fitBounds;
  map.fitBounds = function (bounds, options) {
    const metropole = L.latLngBounds(METROPOLE);
    bounds = L.latLngBounds(bounds);
    const inside = drawn.filter((m) => metropole.contains(m.latlng)).map((m) => m.latlng);
    if (inside.length && bounds.intersects(metropole) && !metropole.contains(bounds)) bounds = L.latLngBounds(inside);
    // Framed on its markers once the map shows these bounds (another move may end first): what a reader (or a test)
    // sees from now on stays put until they move the map.
    if (drawn.length) {
      const framed = () => {
        if (!map.getBounds().pad(0.01).contains(bounds)) return;
        container.dataset.state = "ready";
        map.off("moveend", framed);
      };
      map.on("moveend", framed);
    }
    return fitBounds.call(this, bounds, { maxZoom: 11, ...options });
  };

  const legend = control("bottomright", "md-legend", (div) => {
    const counts = {};
    drawn.forEach((m) => (counts[m.key] = (counts[m.key] || 0) + 1));
    const items = DISTINCTIONS.filter(([key]) => counts[key]).map(([key, label]) => {
      const item = element("div", "md-legend-item");
      item.append(element("span", `md-swatch md-${key}`), label + " ", element("span", "md-count", `(${counts[key]})`));
      return item;
    });
    div.replaceChildren(element("strong", "", legendTitle), ...items);
    div.hidden = !items.length;
  });

  const zones = control("topright", "md-zones", (div) => {
    const present = ZONES.map(([name, box]) => {
      const bounds = L.latLngBounds(box);
      return [name, bounds, drawn.filter((m) => bounds.contains(m.latlng)).length];
    }).filter(([, , n]) => n);
    const buttons = present.map(([name, bounds, n]) => {
      const button = element("button", "md-zone", `${name} (${n})`);
      button.type = "button";
      button.addEventListener("click", () => fitBounds.call(map, bounds));
      return button;
    });
    div.replaceChildren(element("span", "", "Aller à : "), ...buttons);
    div.hidden = drawn.every((m) => L.latLngBounds(METROPOLE).contains(m.latlng));
  });

  // Leaflet 1.7 opens a focused marker's popup on Enter, but a focused cluster ignores keys: Enter or Space zooms
  // into it (or spreads its markers out) as a click does, then the first marker or cluster now in view takes the focus.
  container.addEventListener("keydown", (event) => {
    const cluster = event.target.closest && event.target.closest(".marker-cluster");
    if (!cluster || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    cluster.click();
    // The cluster's icon is gone once it has zoomed or spread its markers out (markercluster animates for 250 ms).
    setTimeout(() => {
      if (container.contains(document.activeElement) && document.activeElement !== container) return;
      const next = container.querySelector(".leaflet-marker-pane [tabindex]");
      if (next) next.focus();
    }, 600);
  });

  legend.addTo(map);
  zones.addTo(map);
  refreshControls = () => {
    legend.render();
    zones.render();
  };
};

const clusterIcon = (cluster) => {
  // Read as the name of the focused cluster (Leaflet makes markers focusable buttons; Enter opens them).
  cluster.options.title = `${cluster.getChildCount()} territoires ici : Entrée pour zoomer`;
  return L.divIcon({
    html: `<div><span>${cluster.getChildCount()}</span></div>`,
    className: "marker-cluster md-cluster",
    iconSize: L.point(36, 36),
  });
};

import(window.datasette.leaflet.JAVASCRIPT_URL).then(() => {
  L.Control.Zoom.mergeOptions(ZOOM_TITLES);
  L.Map.addInitHook(function () {
    if (config.map) return;
    // cluster-map loads markercluster before it creates the map, and creates its cluster group just after.
    if (L.MarkerClusterGroup) {
      L.MarkerClusterGroup.addInitHook(function () {
        // Neutral clusters: markercluster's green, yellow and orange read like distinctions. Fewer of them, too.
        this.options.iconCreateFunction = clusterIcon;
        this.options.maxClusterRadius = 30;
      });
    }
    setUp(this);
  });
  L.Marker.addInitHook(function () {
    if (L.MarkerCluster && this instanceof L.MarkerCluster) return;
    const next = pending[0];
    const latlng = this.getLatLng();
    if (!next || next.lat !== latlng.lat || next.lng !== latlng.lng) return;
    pending.shift();
    this.options.icon = L.divIcon({ className: `md-marker md-${next.key}`, iconSize: [14, 14], popupAnchor: [0, -4] });
    this.options.title = `${next.name} — ${LABELS[next.key]}`;
    drawn.push({ latlng, key: next.key });
  });
});
