/* French labels for what Datasette's table.js and datasette-cluster-map build in the browser (not in any template).
   Loaded deferred after table.js, so its column menus exist by DOMContentLoaded. */
document.addEventListener("DOMContentLoaded", () => {
  const labels = {
    ".dropdown-sort-asc": "Trier par ordre croissant",
    ".dropdown-sort-desc": "Trier par ordre décroissant",
    ".dropdown-facet": "Ajouter une facette sur cette colonne",
    ".dropdown-hide-column": "Masquer cette colonne",
    ".dropdown-show-all-columns": "Afficher toutes les colonnes",
    ".dropdown-not-blank": "Afficher les lignes non vides",
  };
  for (const [selector, label] of Object.entries(labels)) {
    document.querySelectorAll(selector).forEach((a) => { a.textContent = label; });
  }
  document.querySelectorAll('.filter-row a[aria-label="Remove this filter"]').forEach((a) => {
    a.setAttribute("aria-label", "Retirer ce filtre");
  });
  /* datasette-cluster-map's progress line under the map: "Showing 50 of 120 (41.67%)" and its button. */
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      const text = m.target.firstChild;
      if (text && text.nodeType === Node.TEXT_NODE && text.data.startsWith("Showing ")) {
        text.data = text.data.replace(/^Showing (\S+) of (\S+)/, "$1 points affichés sur $2");
      }
      if (m.target.classList && m.target.classList.contains("cluster-map-button") && m.target.textContent === "load all") {
        m.target.textContent = "tout charger";
      }
      m.target.querySelectorAll && m.target.querySelectorAll("button.cluster-map-button").forEach((b) => {
        if (b.textContent === "load all") { b.textContent = "tout charger"; }
      });
    }
  }).observe(document.body, {childList: true, subtree: true});
});
