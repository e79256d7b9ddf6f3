// The claim page's live part: on the article's socket (live.js), a comment on this claim (or a
// change of it) draws the comment thread again from the page as the server renders it now, as
// the visibility policy lets this reader see it. A reply or an edit being typed in the thread is
// never thrown away: the page then says that new comments came and draws them when asked.
// The socket also tells the article's other pages that this reader has the claim open.

import { Api } from "./api.js";
import { LiveFeed } from "./live.js";
import { attachMentions } from "./mentions.js";

const config = JSON.parse(document.getElementById("claim-live")?.textContent || "null");
const section = document.getElementById("comments");

// Whether the reader is in the middle of something inside the thread: an open reply or edit
// whose box holds text that differs from what the page drew.
function busy(list) {
  return [...list.querySelectorAll("details[open] textarea")].some(
    (box) => box.value !== box.defaultValue,
  );
}

async function redraw() {
  const response = await fetch(location.pathname, {
    credentials: "same-origin",
    headers: { Accept: "text/html" },
  });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  const list = section.querySelector("ol.comments");
  const freshList = fresh.querySelector("#comments ol.comments");
  const heading = section.querySelector("h2");
  const freshHeading = fresh.querySelector("#comments h2");
  if (!list || !freshList) return;
  if (busy(list)) {
    section.querySelector(".comments-news").hidden = false;
    return;
  }
  list.replaceWith(freshList);
  if (heading && freshHeading) heading.replaceWith(freshHeading);
  attachMentions(freshList);
  section.querySelector(".comments-news").hidden = true;
}

if (config && section) {
  section.querySelector('[data-action="show-comments"]').addEventListener("click", () => {
    const list = section.querySelector("ol.comments");
    list.querySelectorAll("details[open]").forEach((open) => open.removeAttribute("open"));
    redraw();
  });
  const live = new LiveFeed({
    base: config.base,
    path: config.path,
    cursor: config.cursor,
    api: new Api(config.api),
    article: config.article,
    onEvents: async (events) => {
      if (events.some((event) => event.claim === config.claim && event.kind === "comment")) {
        await redraw();
      }
    },
  });
  live.start();
  live.here(config.claim);
}
