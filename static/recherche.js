// Suggestions as one types for every <input data-recherche="/-/recherche.json">: debounced, keyboard navigable (ARIA combobox),
// their number announced to screen readers. Enter opens the highlighted suggestion, or else the form's page of results.
(function () {
  "use strict";
  var DELAY = 150;
  var counter = 0;

  function enhance(input) {
    if (input.dataset.rechercheActive) return;
    input.dataset.rechercheActive = "1";
    var id = "suggestions-" + (++counter);
    var list = document.createElement("ul");
    list.id = id;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");  // aria-live="polite": read once typing pauses, not over each key
    list.insertAdjacentElement("afterend", status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", id);
    input.setAttribute("aria-expanded", "false");
    var results = [], active = -1, timer = null, controller = null, latest = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.children;
      if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
      active = index;
      if (active >= 0 && items[active]) {
        items[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", items[active].id);
        items[active].scrollIntoView({ block: "nearest" });
      }
    }

    function render(query) {
      list.textContent = "";
      list.dataset.query = query;  // which query the list shows (suggestions arrive after a pause in typing)
      results.forEach(function (result, i) {
        var item = document.createElement("li");
        item.id = id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        var link = document.createElement("a");
        link.href = result.url;
        link.tabIndex = -1;
        link.textContent = result.label;
        var kind = document.createElement("span");
        kind.className = "suggestion-type";
        kind.textContent = (result.correspondance_libelle ? result.correspondance_libelle + " · " : "") + result.type_libelle +
          (result.population != null ? " · " + result.population.toLocaleString("fr-FR") + " hab." : "");
        link.appendChild(kind);
        item.appendChild(link);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); go(i); });
        list.appendChild(item);
      });
      if (!results.length && query) {
        var empty = document.createElement("li");
        empty.className = "suggestion-vide";
        empty.textContent = "Aucun territoire ne correspond.";
        list.appendChild(empty);
      }
      list.hidden = !query;
      input.setAttribute("aria-expanded", String(!list.hidden));
      active = -1;
      status.textContent = !query ? "" : results.length
        ? results.length + " suggestion" + (results.length > 1 ? "s" : "") + " : flèches haut et bas pour choisir, Entrée pour ouvrir."
        : "Aucun territoire ne correspond.";
    }

    function go(index) {
      if (results[index]) window.location.href = results[index].url;
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (!query) { results = []; close(); return; }
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var ticket = ++latest;
      var url = input.dataset.recherche + "?q=" + encodeURIComponent(query.slice(0, 100)) + "&limit=10";
      fetch(url, controller ? { signal: controller.signal } : {})
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (data) {
          if (ticket !== latest) return;
          results = data;
          render(query);
        })
        .catch(function () {});
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) { if (results.length) render(input.value.trim()); return; }
        event.preventDefault();
        if (!results.length) return;
        var last = results.length - 1;
        highlight(event.key === "ArrowDown" ? (active < last ? active + 1 : 0) : (active > 0 ? active - 1 : last));
      } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
        event.preventDefault();
        go(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("focus", function () { if (results.length && input.value.trim()) render(input.value.trim()); });
  }

  function init() {
    document.querySelectorAll("input[data-recherche]").forEach(enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
