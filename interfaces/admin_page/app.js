// The GymGenius admin page: signs in with a pasted token (kept in sessionStorage), reads the API
// with `Authorization: Bearer`, and listens on Socket.IO for payment updates. Every value from the
// API is written with textContent, never as HTML.
"use strict";
(() => {
  const KEY = "gymgenius.admin.token";
  const $ = (id) => document.getElementById(id);
  const money = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR" });
  const state = { me: null, socket: null, tab: "dashboard", pending: null };

  function cell(text, className) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "-" : String(text);
    if (className) td.className = className;
    return td;
  }

  function when(iso) {
    if (!iso) return "-";
    const at = new Date(iso);
    return Number.isNaN(at.getTime()) ? String(iso) : at.toLocaleString();
  }

  function showError(where, error) {
    $(where).textContent = error ? String(error.message || error) : "";
  }

  async function api(path, options = {}) {
    const token = sessionStorage.getItem(KEY) || "";
    const answer = await fetch(path, {
      ...options,
      headers: { Accept: "application/json", Authorization: `Bearer ${token}`, ...(options.headers || {}) },
    });
    const type = answer.headers.get("content-type") || "";
    const body = type.includes("json") ? await answer.json() : null;
    if (!answer.ok) {
      const error = new Error((body && (body.detail || body.title)) || `HTTP ${answer.status}`);
      error.status = answer.status;
      if (answer.status === 401) signOut("Your token was refused or has expired: sign in again.");
      throw error;
    }
    return body;
  }

  function fill(body, rows, render, empty) {
    const tbody = $(body);
    tbody.replaceChildren();
    if (!rows.length) {
      const tr = document.createElement("tr");
      const td = cell(empty, "empty");
      td.colSpan = tbody.parentElement.querySelectorAll("thead th").length;
      tr.append(td);
      tbody.append(tr);
      return;
    }
    for (const row of rows) tbody.append(render(row));
  }

  const loaders = {
    async dashboard() {
      const summary = await api("/v1/queries/dashboard/summary");
      for (const name of ["active_subscriptions", "payments_captured_24h", "payments_failed_24h", "live_sessions"]) {
        $(name).textContent = String(summary[name]);
      }
      $("revenue_paise_30d").textContent = money.format(summary.revenue_paise_30d / 100);
    },

    async projections() {
      const list = await api("/v1/admin/projections");
      const superadmin = state.me && state.me.role === "superadmin";
      fill("projections-body", list, (p) => {
        const tr = document.createElement("tr");
        tr.dataset.name = p.name;
        tr.append(cell(p.name), cell(p.position, "num"), cell(p.lag_events, p.lag_events ? "num warn" : "num"),
          cell(p.status), cell(p.dead_letters, p.dead_letters ? "num warn" : "num"));
        const actions = document.createElement("td");
        const letters = document.createElement("button");
        letters.type = "button";
        letters.textContent = "Dead letters";
        letters.addEventListener("click", () => run(() => deadLetters(p.name), "error"));
        actions.append(letters);
        if (superadmin) {
          const rebuild = document.createElement("button");
          rebuild.type = "button";
          rebuild.className = "danger rebuild";
          rebuild.textContent = "Rebuild";
          rebuild.disabled = p.status === "rebuilding";
          rebuild.addEventListener("click", () => run(() => rebuildProjection(p.name), "error"));
          actions.append(rebuild);
        }
        tr.append(actions);
        return tr;
      }, "No read models.");
    },

    async payments() {
      const page = await api("/v1/queries/payments?limit=25");
      fill("payments-body", page.items, (p) => {
        const tr = document.createElement("tr");
        tr.dataset.id = p.id;
        tr.append(cell(p.id.slice(0, 8), "mono"), cell(p.client_id), cell(p.status, `status ${p.status}`),
          cell(money.format(p.amount_paise / 100), "num"), cell(p.upi_app ? `${p.method} (${p.upi_app})` : p.method),
          cell(p.attempts, "num"), cell(when(p.created_at)));
        const flags = document.createElement("td");
        for (const flag of p.flags) {
          const badge = document.createElement("span");
          badge.className = "badge flag";
          badge.textContent = flag;
          flags.append(badge);
        }
        if (p.dispute_status) {
          const badge = document.createElement("span");
          badge.className = "badge flag";
          badge.textContent = `dispute ${p.dispute_status}`;
          flags.append(badge);
        }
        tr.append(flags);
        tr.title = `${p.id}${p.failure_reason ? ` - ${p.failure_reason}` : ""}`;
        return tr;
      }, "No payments yet.");
    },

    async users() {
      const page = await api("/v1/queries/users?limit=50");
      fill("users-body", page.items, (u) => {
        const tr = document.createElement("tr");
        tr.dataset.uid = u.uid;
        tr.append(cell(u.uid, "mono"), cell(u.display_name), cell(u.role), cell(when(u.created_at)),
          cell(u.erased ? "yes" : "no"));
        return tr;
      }, "No users yet.");
    },
  };

  async function deadLetters(name) {
    const letters = await api(`/v1/admin/projections/${encodeURIComponent(name)}/dead-letters`);
    $("dead-letters-name").textContent = name;
    $("dead-letters").hidden = false;
    fill("dead-letters-body", letters, (d) => {
      const tr = document.createElement("tr");
      tr.append(cell(d.id, "num"), cell(d.position, "num"), cell(d.event_type), cell(d.originator_id, "mono"),
        cell(d.error, "mono"), cell(d.status), cell(when(d.recorded_at)));
      return tr;
    }, "No dead letters.");
  }

  async function rebuildProjection(name) {
    if (!window.confirm(`Rebuild the ${name} read model from the whole event log?`)) return;
    await api(`/v1/admin/projections/${encodeURIComponent(name)}/rebuild`, { method: "POST" });
    await loaders.projections();
  }

  async function run(work, where) {
    showError(where, null);
    try {
      await work();
    } catch (error) {
      if (error.status !== 401) showError(where, error);
    }
  }

  function load(tab) {
    return run(() => loaders[tab](), "error");
  }

  function select(tab) {
    state.tab = tab;
    for (const button of document.querySelectorAll("#tabs [data-tab]")) {
      button.setAttribute("aria-selected", String(button.dataset.tab === tab));
    }
    for (const section of document.querySelectorAll("section.tab")) {
      section.hidden = section.id !== `tab-${tab}`;
    }
    return load(tab);
  }

  function live(on) {
    $("live").textContent = on ? "live" : "offline";
    $("live").className = on ? "badge on" : "badge off";
  }

  function connect(token) {
    if (typeof window.io !== "function") return;
    const socket = window.io({ auth: { token }, transports: ["websocket", "polling"] });
    socket.on("connect", () => live(true));
    socket.on("disconnect", () => live(false));
    socket.on("connect_error", () => live(false));
    socket.on("payment.updated", () => {
      // several changes in a burst make one reload
      if (state.pending) return;
      state.pending = window.setTimeout(() => {
        state.pending = null;
        load("payments");
        if (state.tab === "dashboard") load("dashboard");
      }, 150);
    });
    state.socket = socket;
  }

  async function signIn(token) {
    sessionStorage.setItem(KEY, token);
    try {
      state.me = await api("/v1/queries/me");
    } catch (error) {
      sessionStorage.removeItem(KEY);
      showError("sign-in-error", error);
      return;
    }
    if (!["admin", "superadmin"].includes(state.me.role)) {
      signOut(`This page is for admins; the token is a ${state.me.role}'s.`);
      return;
    }
    $("who-name").textContent = `${state.me.display_name || state.me.uid} (${state.me.role})`;
    $("sign-in").hidden = true;
    $("who").hidden = false;
    $("console").hidden = false;
    connect(token);
    await Promise.all([select(state.tab), state.tab === "payments" ? null : load("payments")]);
  }

  function signOut(message) {
    sessionStorage.removeItem(KEY);
    if (state.socket) state.socket.disconnect();
    state.socket = null;
    state.me = null;
    live(false);
    $("console").hidden = true;
    $("who").hidden = true;
    $("sign-in").hidden = false;
    $("token").value = "";
    showError("sign-in-error", message || null);
  }

  $("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    showError("sign-in-error", null);
    const token = $("token").value.trim();
    if (token) signIn(token);
  });
  $("sign-out").addEventListener("click", () => signOut());
  for (const button of document.querySelectorAll("#tabs [data-tab]")) {
    button.addEventListener("click", () => select(button.dataset.tab));
  }
  for (const button of document.querySelectorAll("button.refresh")) {
    button.addEventListener("click", () => load(button.dataset.load));
  }

  const kept = sessionStorage.getItem(KEY);
  if (kept) signIn(kept);
})();
