// /signaler: the distinction list offers only the scheme of the chosen edition (2016-2024: niveaux 1 à 5; 2025: badge,
// bronze, argent, or). Without JavaScript the server does the same once the edition is sent, and says so in French.
(function () {
  "use strict";
  function init() {
    var edition = document.getElementById("edition");
    var distinction = document.getElementById("distinction");
    if (!edition || !distinction) return;
    var groups = Array.prototype.slice.call(distinction.querySelectorAll("optgroup"));
    function update() {
      var chosen = edition.options[edition.selectedIndex];
      var scheme = chosen && chosen.dataset.bareme;
      groups.forEach(function (group) {
        var shown = !scheme || group.dataset.bareme === scheme;
        group.hidden = !shown;
        group.disabled = !shown;
      });
      var selected = distinction.options[distinction.selectedIndex];
      if (selected && selected.parentNode.disabled) distinction.value = "";
    }
    edition.addEventListener("change", update);
    update();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
