// A small client for the workbench's REST API: session cookie plus the CSRF token, JSON both ways.
// Every failure becomes an ApiError carrying the status (0: the server could not be reached) and
// the body, whose field messages the page shows next to the form that was sent.

const { gettext, interpolate } = window;

function cookie(name) {
  const prefix = name + "=";
  for (const part of document.cookie.split(";")) {
    const item = part.trim();
    if (item.startsWith(prefix)) return decodeURIComponent(item.slice(prefix.length));
  }
  return "";
}

// This page's own id, sent with every write: the live feed names the tab a change came from, so
// this page skips the echo of what it did itself while the same person's other tabs apply it.
// (crypto.getRandomValues, not randomUUID: the latter needs https, and a desk may run on http.)
export const TAB = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");

export class ApiError extends Error {
  constructor(status, body, message) {
    super(message);
    this.status = status;
    this.body = body || {};
  }

  // Messages per field, e.g. {"end": ["end is past the end…"]}; "detail" and
  // "non_field_errors" under "" (for the form as a whole).
  fields() {
    const out = {};
    for (const [key, value] of Object.entries(this.body)) {
      if (key === "existing" || key === "current_version") continue;
      const name = key === "detail" || key === "non_field_errors" ? "" : key;
      const messages = Array.isArray(value) ? value : [String(value)];
      out[name] = (out[name] || []).concat(messages.map(String));
    }
    return out;
  }

  summary() {
    const parts = [];
    for (const [field, messages] of Object.entries(this.fields())) {
      const text = messages.join(" ");
      parts.push(field ? interpolate(gettext("%(field)s: %(messages)s"), { field, messages: text }, true) : text);
    }
    return parts.join(" ") || this.message;
  }
}

export class Api {
  constructor(base) {
    this.base = base;
  }

  async request(method, path, body) {
    const headers = { Accept: "application/json" };
    const init = { method, headers, credentials: "same-origin" };
    if (method !== "GET") {
      headers["X-CSRFToken"] = cookie("csrftoken");
      headers["X-Workbench-Tab"] = TAB;
    }
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(this.base + path, init);
    } catch (error) {
      throw new ApiError(0, null, gettext("The server could not be reached. Check your connection; nothing you typed is lost."));
    }
    let data = null;
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("json")) {
      try {
        data = await response.json();
      } catch (error) {
        data = null;
      }
    }
    if (!response.ok) {
      const message = (data && (data.detail || data.non_field_errors)) ||
        interpolate(gettext("The server answered %(status)s."), { status: response.status }, true);
      throw new ApiError(response.status, data, String(message));
    }
    return { status: response.status, data };
  }

  get(path) {
    return this.request("GET", path);
  }

  post(path, body) {
    return this.request("POST", path, body === undefined ? {} : body);
  }

  patch(path, body) {
    return this.request("PATCH", path, body);
  }

  delete(path) {
    return this.request("DELETE", path);
  }

  // Every item of a paginated list (the API pages at most 1,000 a page).
  async all(path) {
    const items = [];
    let next = path + (path.includes("?") ? "&" : "?") + "page_size=1000";
    for (let page = 1; next; page += 1) {
      const { data } = await this.get(next);
      const results = Array.isArray(data) ? data : data.results;
      items.push(...results);
      if (Array.isArray(data) || !data.next) break;
      next = path + (path.includes("?") ? "&" : "?") + "page_size=1000&page=" + (page + 1);
    }
    return items;
  }
}
