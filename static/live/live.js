// The portal's live panels: one websocket to /ws/live/, a subscription taken from the page's data-live
// attribute, and every snapshot the server sends written into the elements that name its fields
// (data-field="area.reporting") and the tables that name a list (data-rows="area.feeders").
(function () {
  "use strict";
  const root = document.querySelector("[data-live]");
  const state = document.querySelector("[data-live-state]");
  if (!root || !state) return;
  const subscription = JSON.parse(root.dataset.live);
  const MAX_DELAY_SECONDS = 30;
  let failures = 0;

  function say(text, on) {
    state.textContent = text;
    state.dataset.on = on ? "yes" : "no";
  }

  function lookup(document, path) {
    return path.split(".").reduce((value, key) => (value == null ? undefined : value[key]), document);
  }

  function text(value) {
    if (value === null || value === undefined) return "—";
    if (value === true) return "yes";
    if (value === false) return "no";
    if (Array.isArray(value)) return value.join(", ") || "—";
    if (typeof value === "number") return value.toLocaleString();
    if (/^\d{4}-\d\d-\d\dT/.test(value)) return new Date(value).toLocaleString();
    return String(value);
  }

  function render(message) {
    root.querySelectorAll("[data-field]").forEach((element) => {
      const value = lookup(message, element.dataset.field);
      if (value !== undefined) element.textContent = text(value);
    });
    root.querySelectorAll("[data-rows]").forEach((body) => {
      const rows = lookup(message, body.dataset.rows);
      if (!Array.isArray(rows)) return;
      const columns = body.dataset.columns.split(" ");
      body.replaceChildren(
        ...rows.map((row) => {
          const tr = document.createElement("tr");
          columns.forEach((column) => {
            const td = document.createElement("td");
            if (column === body.dataset.link && row.id !== undefined) {
              const a = document.createElement("a");
              a.href = "?node=" + encodeURIComponent(row.id);
              a.textContent = text(row[column]);
              td.append(a);
            } else {
              td.textContent = text(row[column]);
            }
            tr.append(td);
          });
          return tr;
        }),
      );
      if (!rows.length) {
        const tr = document.createElement("tr");
        const td = document.createElement("td");
        td.colSpan = columns.length;
        td.className = "empty";
        td.textContent = "None.";
        tr.append(td);
        body.append(tr);
      }
    });
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(scheme + "//" + location.host + "/ws/live/");
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify(subscription));
    });
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "snapshot") {
        failures = 0;
        say("Live: updated " + new Date().toLocaleTimeString(), true);
        render(message);
      } else if (message.type === "error") {
        say("Live updates are off: " + message.error, false);
      }
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 4403) {
        say("Live updates are off: your session may no longer watch this. Reload to sign in again.", false);
        return;
      }
      // Back off exponentially with jitter, so a restarted server is not met by every browser at once.
      const delay = Math.min(MAX_DELAY_SECONDS, 2 ** failures) * (0.5 + Math.random() / 2);
      failures += 1;
      say("Live updates are off: reconnecting in " + Math.ceil(delay) + " s", false);
      setTimeout(connect, delay * 1000);
    });
  }

  connect();
})();
