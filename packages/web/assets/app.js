// Verk Web client: live refresh (server-sent events + partial page refresh), charts (uPlot),
// theme, confirmations and selections. No inline scripts: the page's CSP allows only this file.
(() => {
  const body = document.body;
  const base = body.dataset.base || "";
  const store = {
    get: (k) => {
      try {
        return localStorage.getItem(k);
      } catch {
        return null;
      }
    },
    set: (k, v) => {
      try {
        localStorage.setItem(k, v);
      } catch {
        // private mode: not remembered
      }
    },
  };

  // Theme: system, light or dark.
  const themes = ["auto", "light", "dark"];
  const applyTheme = (t) => {
    if (t === "auto") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = t;
  };
  applyTheme(store.get("verk-theme") || "auto");
  const themeButton = document.getElementById("theme");
  if (themeButton)
    themeButton.addEventListener("click", () => {
      const next = themes[(themes.indexOf(store.get("verk-theme") || "auto") + 1) % themes.length];
      store.set("verk-theme", next);
      applyTheme(next);
      themeButton.title = `Theme: ${next}`;
      drawCharts();
    });

  // Charts.
  let charts = [];
  const css = (name) => getComputedStyle(document.body).getPropertyValue(name).trim();
  const tone = (t) => css(`--${t}`) || "#888";
  function drawCharts() {
    for (const c of charts) c.destroy();
    charts = [];
    if (typeof window.uPlot !== "function") return;
    for (const script of document.querySelectorAll("script.chart-data")) {
      const el = document.getElementById(script.dataset.for);
      if (!el) continue;
      let spec;
      try {
        spec = JSON.parse(script.textContent);
      } catch {
        continue;
      }
      el.textContent = "";
      const width = Math.max(260, el.clientWidth || el.parentElement.clientWidth || 600);
      const axis = {
        stroke: css("--muted"),
        grid: { stroke: css("--grid"), width: 1 },
        ticks: { stroke: css("--grid") },
      };
      const bars =
        spec.bars && window.uPlot.paths?.bars ? window.uPlot.paths.bars({ size: [0.7, 40] }) : undefined;
      const opts = {
        width,
        height: 220,
        legend: { show: true },
        cursor: { points: { size: 6 } },
        scales: {
          x: spec.bars
            ? { time: true, range: (_u, min, max) => [min - 43_200, max + 43_200] }
            : { time: true },
          y: { range: (_u, min, max) => [0, Math.max(1, max * 1.1, min)] },
        },
        axes: [
          spec.bars ? { ...axis, incrs: [86_400, 7 * 86_400, 28 * 86_400] } : axis,
          { ...axis, label: spec.unit, size: 60 },
        ],
        series: [
          {},
          ...spec.series.map((s) => ({
            label: s.label,
            stroke: tone(s.tone),
            fill: bars ? tone(s.tone) : undefined,
            width: 2,
            paths: bars,
            spanGaps: false,
            points: { show: spec.x.length < 40 },
          })),
        ],
      };
      const data = [spec.x, ...spec.series.map((s) => s.values)];
      charts.push(new window.uPlot(opts, data, el));
    }
  }
  let resizeTimer;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(drawCharts, 150);
  });

  // Forms: confirmations and "select all".
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm))
      e.preventDefault();
  });
  document.addEventListener("change", (e) => {
    const box = e.target;
    if (box instanceof HTMLInputElement && box.classList.contains("select-all")) {
      const form = box.closest("form");
      if (form) for (const b of form.querySelectorAll('input[name="key"]')) b.checked = box.checked;
    }
  });

  // Live refresh.
  const select = document.getElementById("refresh");
  const status = document.getElementById("live-status");
  const main = document.getElementById("main");
  const saved = store.get("verk-refresh");
  let interval = Number(saved !== null ? saved : body.dataset.refresh || 5000);
  if (select) {
    if (![...select.options].some((o) => Number(o.value) === interval)) interval = 5000;
    select.value = String(interval);
    select.addEventListener("change", () => {
      interval = Number(select.value);
      store.set("verk-refresh", String(interval));
      connect();
    });
  }
  const say = (text) => {
    if (status) status.textContent = text;
  };
  const busy = () => {
    if (!main) return true;
    if (main.querySelector('input[type="checkbox"]:checked, details[open]')) return true;
    const a = document.activeElement;
    if (a && main.contains(a) && /^(INPUT|SELECT|TEXTAREA)$/.test(a.tagName)) return true;
    const sel = window.getSelection?.();
    return !!(sel && sel.type === "Range");
  };
  let refreshing = false;
  async function refreshMain() {
    if (refreshing || busy()) return;
    refreshing = true;
    try {
      const res = await fetch(location.href, {
        headers: { "X-Verk-Partial": "1" },
        credentials: "same-origin",
      });
      if (res.ok && !busy()) {
        main.innerHTML = await res.text();
        drawCharts();
      }
    } catch {
      say("offline: retrying");
    } finally {
      refreshing = false;
    }
  }
  const fmt = (n) => Number(n).toLocaleString("en-US");
  let source;
  function disconnect() {
    if (source) source.close();
    source = undefined;
  }
  function connect() {
    disconnect();
    if (!interval) return say("refresh off");
    if (document.visibilityState !== "visible") return say("paused (tab hidden)");
    source = new EventSource(`${base}/live?interval=${interval}`);
    let first = true;
    source.addEventListener("summary", (e) => {
      let data;
      try {
        data = JSON.parse(e.data);
      } catch {
        return;
      }
      for (const el of document.querySelectorAll("[data-live]")) {
        const v = data[el.dataset.live];
        if (v !== undefined) el.textContent = fmt(v);
      }
      say(`live · ${new Date(data.at).toLocaleTimeString()}`);
      if (first) first = false;
      else refreshMain();
    });
    source.addEventListener("problem", () => say("Redis unreachable: retrying"));
    source.onerror = () => say("reconnecting…");
  }
  document.addEventListener("visibilitychange", connect);
  window.addEventListener("pagehide", disconnect);

  const start = () => {
    drawCharts();
    connect();
  };
  if (typeof window.uPlot === "function") start();
  else window.addEventListener("load", start);
})();
