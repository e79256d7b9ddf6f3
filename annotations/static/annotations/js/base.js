// Behaviour shared by every page (no inline handlers: the Content-Security-Policy forbids them).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
});

// The top bar's count of unread notifications, kept live over the page's socket (/ws/me/: the
// server sends the count when it changes). Without a socket the count shown at load stays.
(function () {
  const address = document.body.dataset.me;
  const link = document.querySelector("[data-notifications]");
  if (!address || !link || !("WebSocket" in window)) return;
  const url = /^wss?:/.test(address)
    ? address
    : (location.protocol === "https:" ? "wss://" : "ws://") + location.host + address;
  let failures = 0;

  function show(count) {
    let badge = link.querySelector("[data-unread]");
    if (!count) {
      if (badge) badge.remove();
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge count";
      link.append(" ", badge);
    }
    badge.dataset.unread = String(count);
    badge.textContent = String(count);
    const label = (count === 1 ? link.dataset.one : link.dataset.many) || "";
    badge.setAttribute("aria-label", label.replace(/\d+/, String(count)));
  }

  function connect() {
    const socket = new WebSocket(url);
    socket.addEventListener("open", function () {
      failures = 0;
    });
    socket.addEventListener("message", function (message) {
      const data = JSON.parse(message.data);
      if (data.type === "unread") show(data.count);
    });
    socket.addEventListener("close", function (event) {
      if (event.code === 4401) return;
      failures += 1;
      // A server without sockets: try a few times, then leave the count as loaded.
      if (failures <= 5) setTimeout(connect, Math.min(30000, 1000 * 2 ** failures));
    });
  }
  connect();
})();
