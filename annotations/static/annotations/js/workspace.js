// The workspace page: keep the status and counts of articles still being fetched or extracted up
// to date, without reloading the page.

import { Api } from "./api.js";

const { gettext, interpolate } = window;
const config = JSON.parse(document.getElementById("workbench-config").textContent);
const api = new Api(config.api);
const UNFINISHED = ["pending", "queued", "running"];
const LABELS = {
  pending: gettext("Pending"),
  queued: gettext("Queued"),
  running: gettext("Running"),
  done: gettext("Done"),
  failed: gettext("Failed"),
};

let watched = new Set(config.watch);

function update(row, article) {
  const cell = row.querySelector("[data-status]");
  const badge = document.createElement("span");
  if (article.fetch_status && article.fetch_status !== "done") {
    badge.className = "badge status-" + article.fetch_status;
    badge.textContent = gettext("Fetch") + ": " + (LABELS[article.fetch_status] || article.fetch_status);
    badge.title = article.fetch_error || "";
  } else {
    badge.className = "badge status-" + article.extraction_status;
    badge.textContent = LABELS[article.extraction_status] || article.extraction_status;
    badge.title = article.extraction_error || "";
  }
  cell.replaceChildren(badge);
  row.querySelector('[data-count="claims"]').textContent = String(article.claim_count);
  row.querySelector('[data-count="assessed"]').textContent = interpolate(
    gettext("%(done)s/%(total)s assessed"),
    { done: article.assessed_count, total: article.claim_count },
    true,
  );
  const bar = row.querySelector("progress");
  bar.max = Math.max(1, article.claim_count);
  bar.value = article.assessed_count;
}

async function poll() {
  if (!watched.size) return;
  try {
    const { data } = await api.get("articles/?workspace=" + config.workspace + "&page_size=200");
    const still = new Set();
    for (const article of data.results) {
      if (!watched.has(article.id)) continue;
      const row = document.querySelector('tr[data-article="' + article.id + '"]');
      if (row) update(row, article);
      if (UNFINISHED.includes(article.extraction_status) || ["queued", "running"].includes(article.fetch_status)) {
        still.add(article.id);
      }
    }
    watched = still;
  } catch (error) {
    // A passing failure: the next tick tries again.
  }
  if (watched.size) setTimeout(poll, 3000);
}

setTimeout(poll, 2000);
