/* Downloads that take time to prepare (the .xlsx of all 36,000 territories: ~9 s) say so while they are prepared.
   A click on an export link (CSV, CSV pour Excel, .xlsx) fetches the file, shows « Préparation du fichier en
   cours… » in a live region (read by screen readers) and hands the file over when it is ready; without JavaScript
   the link still downloads it (the server sends it as an attachment). */
(() => {
  const EXPORT = /\.(xlsx|csvfr|csv)(\?|$)/;
  const status = document.createElement("p");
  status.className = "preparation-export";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");

  function place(link) {
    const block = link.closest("p, li, div") || document.body;
    if (status.previousElementSibling !== block) block.after(status);
  }

  function fileName(response, link) {
    const header = response.headers.get("content-disposition") || "";
    const match = header.match(/filename="?([^";]+)"?/);
    return match ? match[1] : new URL(link.href).pathname.split("/").pop();
  }

  document.addEventListener("click", async (event) => {
    const link = event.target.closest("a[href]");
    if (!link || !EXPORT.test(new URL(link.href, location.href).pathname + new URL(link.href, location.href).search)) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button !== 0) return;
    if (new URL(link.href, location.href).origin !== location.origin) return;
    event.preventDefault();
    place(link);
    status.textContent = `Préparation du fichier en cours (${link.textContent.trim()})… Une grande table peut demander une quinzaine de secondes.`;
    try {
      const response = await fetch(link.href);
      if (!response.ok) throw new Error(String(response.status));
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const save = document.createElement("a");
      save.href = url;
      save.download = fileName(response, link);
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      status.textContent = `Fichier prêt : ${save.download} (${Math.max(1, Math.round(blob.size / 1024)).toLocaleString("fr-FR")} Ko).`;
    } catch (error) {
      status.textContent = "La préparation du fichier a échoué ; le lien va l'ouvrir directement.";
      location.href = link.href;
    }
  });
})();
