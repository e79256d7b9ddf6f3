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

// Whether the article may still change by itself: its fetch or its extraction is under way. A
// failed fetch waits for someone to fetch it again; its extraction never starts until then.
function unfinished(article) {
  if (UNFINISHED.includes(article.fetch_status)) return true;
  return article.fetch_status !== "failed" && UNFINISHED.includes(article.extraction_status);
}

// The "Fetch again" form of a failed fetch: the one the page came with, else a new one (the fetch
// failed while the page was open).
function fetchAgainForm(cell, article) {
  const kept = cell.querySelector("form[data-refetch]");
  if (kept) return kept;
  const token = document.querySelector('input[name="csrfmiddlewaretoken"]');
  const form = document.createElement("form");
  form.method = "post";
  form.action = config.refetch.replace("/0/", "/" + article.id + "/");
  form.className = "inline";
  form.dataset.refetch = "";
  if (token) {
    const hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = token.name;
    hidden.value = token.value;
    form.appendChild(hidden);
  }
  const button = document.createElement("button");
  button.type = "submit";
  button.className = "small";
  button.textContent = gettext("Fetch again");
  form.appendChild(button);
  return form;
}

function update(row, article) {
  const cell = row.querySelector("[data-status]");
  const badge = document.createElement("span");
  const parts = [badge];
  if (article.fetch_status && article.fetch_status !== "done") {
    badge.className = "badge status-" + article.fetch_status;
    badge.textContent = interpolate(
      gettext("Fetch: %(status)s"),
      { status: LABELS[article.fetch_status] || article.fetch_status },
      true,
    );
    badge.title = article.fetch_error || "";
    if (article.fetch_status === "failed") parts.push(" ", fetchAgainForm(cell, article));
  } else {
    badge.className = "badge status-" + article.extraction_status;
    badge.textContent = LABELS[article.extraction_status] || article.extraction_status;
    badge.title = article.extraction_error || "";
  }
  cell.replaceChildren(...parts);
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
      if (unfinished(article)) still.add(article.id);
    }
    watched = still;
  } catch (error) {
    // A passing failure: the next tick tries again.
  }
  if (watched.size) setTimeout(poll, 3000);
}

setTimeout(poll, 2000);
