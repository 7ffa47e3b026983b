// tidings: a little vanilla JS. Never builds HTML from data: text goes in with textContent.
(function () {
  "use strict";

  // Filter forms: leave empty fields out of the URL.
  document.querySelectorAll("form.filters").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input, select").forEach(function (field) {
        if (field.name && field.value === "" ) { field.disabled = true; }
      });
    });
  });

  // Actor filters: suggestions from the stored actors (GET /api/actors/suggest) in a <datalist>.
  var suggestions = document.getElementById("actor-suggestions");
  var pending = null, asked = "";
  document.querySelectorAll("input[data-suggest=actors]").forEach(function (input) {
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (!suggestions || q.length < 2 || q === asked) { return; }
      clearTimeout(pending);
      pending = setTimeout(function () {
        asked = q;
        fetch("/api/actors/suggest?limit=12&q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {items: []}; })
          .then(function (body) {
            while (suggestions.firstChild) { suggestions.removeChild(suggestions.firstChild); }
            body.items.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.value;
              option.textContent = item.label;
              suggestions.appendChild(option);
            });
          })
          .catch(function () {});
      }, 150);
    });
  });

  var data = document.getElementById("annotations");
  var text = document.getElementById("article-text");
  var panel = document.getElementById("panel");
  if (!data || !text || !panel) { return; }
  var annotations = JSON.parse(data.textContent);
  var pieces = Array.prototype.slice.call(text.querySelectorAll("[data-a]"));
  var byEvent = {}, byQuote = {};
  pieces.forEach(function (el) {
    el.dataset.a.split(" ").forEach(function (i) {
      var a = annotations[+i];
      if (!a) { return; }
      if (a.event !== undefined) { (byEvent[a.event] = byEvent[a.event] || []).push(el); }
      if (a.quote !== undefined) { (byQuote[a.quote] = byQuote[a.quote] || []).push(el); }
    });
  });

  function add(parent, tag, value, cls) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    el.textContent = value === null || value === undefined ? "" : String(value);
    parent.appendChild(el);
    return el;
  }
  function row(dl, label, value) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) { return; }
    add(dl, "dt", label);
    add(dl, "dd", Array.isArray(value) ? value.join(", ") : value);
  }
  function heading(dl, value) {
    var h = document.createElement("h3");
    h.textContent = value;
    dl.parentNode.insertBefore(h, dl);
  }
  function who(p) {
    if (!p) { return ""; }
    var code = [p.country, p.sector].filter(Boolean).join(" ");
    return (p.name || p.text) + (code ? " (" + code + ")" : "");
  }
  function describe(a, dl) {
    if (a.kind === "trigger") {
      heading(dl, a.type + (a.mode ? " · " + a.mode : ""));
      row(dl, "trigger", a.text);
      row(dl, "source", (a.source || []).map(who));
      row(dl, "target", (a.target || []).map(who));
      row(dl, "date", a.date ? a.date + (a.date_text ? " (" + a.date_text + ")" : "") : null);
      row(dl, "where", a.location);
      row(dl, "factuality", a.factuality + (a.background ? ", background" : ""));
      if (a.attribution) {
        row(dl, "attribution", a.attribution.kind + (a.attribution.speaker ? ": " + a.attribution.speaker : ""));
        row(dl, "confirmed", a.attribution.confirmed);
        row(dl, "disputed", a.attribution.disputed ? "yes" : null);
        row(dl, "denied by", a.attribution.denied_by);
      }
      row(dl, "context", a.context);
      row(dl, "confidence", typeof a.confidence === "number" ? a.confidence.toFixed(2) : null);
      row(dl, "rule", a.rule);
    } else if (a.kind === "mention") {
      heading(dl, "actor");
      row(dl, "text", a.text);
      if (a.actor) {
        row(dl, "name", a.actor.name); row(dl, "country", a.actor.country);
        row(dl, "sector", a.actor.sector); row(dl, "resolved by", a.actor.how); row(dl, "kb id", a.actor.kb_id);
      }
      row(dl, "entity label", a.label); row(dl, "entity", a.entity);
    } else if (a.kind === "quote") {
      heading(dl, a.direct ? "direct quote" : "indirect quote");
      row(dl, "speaker", who(a.speaker)); row(dl, "cue", a.cue);
    } else if (a.kind === "source" || a.kind === "target") {
      heading(dl, a.kind + " of " + a.type);
      row(dl, "actor", who(a));
    }
  }
  var ORDER = {trigger: 0, mention: 1, source: 2, target: 3, quote: 4};
  function codings(el) {
    return el.dataset.a.split(" ").map(function (i) { return annotations[+i]; })
      .filter(function (a) { return a && ORDER[a.kind] !== undefined; })
      .sort(function (x, y) { return ORDER[x.kind] - ORDER[y.kind]; });
  }
  function showList(list, eventNumber) {
    if (!list.length) { return; }  // only a sentence: keep what the panel shows
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    if (eventNumber === undefined) { delete panel.dataset.event; } else { panel.dataset.event = eventNumber; }
    list.forEach(function (a) {
      var box = add(panel, "section", "", "coding " + a.kind);
      var dl = document.createElement("dl");
      box.appendChild(dl);
      describe(a, dl);
    });
  }
  function show(el) {
    var list = codings(el);
    var trigger = list.filter(function (a) { return a.kind === "trigger"; })[0];
    showList(list, trigger ? trigger.event : undefined);
  }

  // Keyboard: every highlight with a coding is a tab stop; focusing it shows the coding, Enter or
  // Space shows it again (after the pointer showed another one).
  pieces.forEach(function (el) {
    if (codings(el).length) {
      el.tabIndex = 0;
      el.setAttribute("role", "button");
      el.setAttribute("aria-describedby", "panel");
    }
  });
  text.addEventListener("focusin", function (ev) {
    var el = ev.target.closest("[data-a]");
    if (el) { select(el); }
  });
  text.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" && ev.key !== " ") { return; }
    var el = ev.target.closest("[data-a]");
    if (!el) { return; }
    ev.preventDefault();
    select(el);
  });
  function light(els, on) { (els || []).forEach(function (el) { el.classList.toggle("hl", on); }); }
  var current = null;
  function related(el) {
    var out = [];
    el.dataset.a.split(" ").forEach(function (i) {
      var a = annotations[+i];
      if (a && a.kind === "trigger") { out = out.concat(byEvent[a.event] || []); }
      if (a && a.kind === "quote") { out = out.concat(byQuote[a.quote] || []); }
    });
    return out;
  }
  function select(el) {
    if (current && current !== el) { light(related(current), false); }
    current = el; light(related(el), true); show(el);
  }
  text.addEventListener("mouseover", function (ev) {
    var el = ev.target.closest("[data-a]");
    if (!el || el === current) { return; }
    select(el);
  });
  text.addEventListener("click", function (ev) {
    var el = ev.target.closest("[data-a]");
    if (el) { show(el); }
  });

  function focusHash() {
    var m = /^#(ev|q)-(\d+)$/.exec(window.location.hash);
    if (!m) { return; }
    pieces.forEach(function (el) { el.classList.remove("focus"); });
    var n = +m[2], isEvent = m[1] === "ev";
    var els = (isEvent ? byEvent : byQuote)[n] || [];
    els.forEach(function (el) { el.classList.add("focus"); });
    // the panel shows this event's (or quote's) own coding, not that of a quote or mention it overlaps
    var own = annotations.filter(function (a) {
      return isEvent ? (a.kind === "trigger" && a.event === n) : (a.kind === "quote" && a.quote === n);
    });
    showList(own, isEvent ? n : undefined);
    var anchor = document.getElementById(m[1] + "-" + m[2]);
    if (anchor) { anchor.scrollIntoView({block: "center"}); }
  }
  window.addEventListener("hashchange", focusHash);
  focusHash();
})();
