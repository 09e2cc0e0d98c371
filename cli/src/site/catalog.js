// The catalog page's search and filters. The rules are rendered in the page;
// this script only shows and hides them, from the data embedded beside it
// (what `debitura-triage rules --json` prints), and keeps the state in the
// query string so that a filtered view can be linked.
(function () {
  "use strict";
  var rules = JSON.parse(document.getElementById("catalog-data").textContent);
  var form = document.getElementById("filters");
  var count = document.getElementById("count");
  var notice = document.getElementById("notice");
  var FIELDS = ["q", "status", "type", "op", "retry", "section", "event", "symptom", "env", "state"];
  var control = {};
  FIELDS.forEach(function (name) { control[name] = form.elements[name]; });

  // The operation tree and the section titles, from the options' attributes.
  var within = {};
  Array.prototype.forEach.call(control.op.options, function (o) {
    if (o.value) within[o.value] = (o.getAttribute("data-within") || "").split(" ").filter(Boolean);
  });
  var sectionTitle = {};
  Array.prototype.forEach.call(control.section.options, function (o) {
    if (o.value) sectionTitle[o.value] = o.getAttribute("data-title");
  });

  var cards = rules.map(function (rule) {
    var w = rule.when;
    var text = [rule.rule, rule.title, w.type.join(" "), w.message.join(" "), rule.cause, rule.solution];
    return { rule: rule, el: document.getElementById(rule.rule), text: text.join("\n").toLowerCase() };
  });
  var retired = Array.prototype.slice.call(document.querySelectorAll("article.retired"));
  var resend = Array.prototype.slice.call(document.querySelectorAll("div.resend"));

  function words(q) { return q.toLowerCase().split(/\s+/).filter(Boolean); }
  function has(list, value) { return list.indexOf(value) >= 0; }
  // An operation filter keeps a rule naming that operation, an API or
  // operation that contains it, or an operation within it.
  function related(a, b) { return a === b || has(within[a] || [], b) || has(within[b] || [], a); }

  function matches(rule, s) {
    var w = rule.when;
    if (s.status) {
      var cls = /^([1-5])xx$/.exec(s.status);
      var ok = cls
        ? w.status.some(function (x) { return Math.floor(x / 100) === +cls[1]; })
        : has(w.status, Number(s.status));
      if (!ok) return false;
    }
    if (s.type && !has(w.type, s.type)) return false;
    if (s.op && !w.operation.some(function (o) { return related(o, s.op); })) return false;
    if (s.retry && rule.retry !== s.retry) return false;
    if (s.section && rule.section !== sectionTitle[s.section]) return false;
    if (s.event && !has(w.event, s.event)) return false;
    if (s.symptom && !has(w.symptom, s.symptom)) return false;
    if (s.env && !has(w.environment, s.env)) return false;
    return s.state !== "retired";
  }

  function state() {
    var s = {};
    FIELDS.forEach(function (name) { s[name] = control[name].value.trim(); });
    return s;
  }

  function apply() {
    var s = state();
    var q = words(s.q);
    var shown = 0;
    cards.forEach(function (card) {
      var show = matches(card.rule, s) && q.every(function (t) { return card.text.indexOf(t) >= 0; });
      card.el.hidden = !show;
      card.el.classList.remove("target");
      if (show) shown += 1;
    });
    // Retired ids have no conditions: only the search and the state filter them.
    var ruleFilter = ["status", "type", "op", "retry", "section", "event", "symptom", "env"].some(function (n) { return s[n]; });
    var shownRetired = 0;
    retired.forEach(function (el) {
      var text = el.id + " " + (el.getAttribute("data-replaced-by") || "");
      var show = !ruleFilter && s.state !== "released" && q.every(function (t) { return text.indexOf(t) >= 0; });
      el.hidden = !show;
      if (show) shownRetired += 1;
    });
    resend.forEach(function (p) { p.hidden = p.getAttribute("data-op") !== s.op; });
    var text = shown + " of " + cards.length + " rules";
    if (retired.length) text += ", " + shownRetired + " of " + retired.length + " retired ids";
    count.textContent = text;
    return s;
  }

  function save(s) {
    var params = new URLSearchParams();
    FIELDS.forEach(function (name) { if (s[name]) params.set(name, s[name]); });
    var query = params.toString();
    history.replaceState(null, "", (query ? "?" + query : location.pathname) + location.hash);
  }

  // A value the page has no option for is kept, marked, and matches nothing.
  function setControl(name, value) {
    var el = control[name];
    if (el.tagName === "SELECT" && value && !Array.prototype.some.call(el.options, function (o) { return o.value === value; })) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = value + " (not in the catalog)";
      el.appendChild(option);
    }
    el.value = value;
  }

  function load() {
    var params = new URLSearchParams(location.search);
    FIELDS.forEach(function (name) { setControl(name, params.get(name) || ""); });
    apply();
  }

  // A link to a retired id leads to the rule that replaced it; a linked rule
  // is shown even when the filters would hide it.
  function land() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var el = document.getElementById(id);
    if (!el || !el.matches("article")) return;
    notice.hidden = true;
    var to = el.getAttribute("data-replaced-by");
    if (to && document.getElementById(to)) {
      notice.textContent = "\u201c" + id + "\u201d was retired on " + el.getAttribute("data-on") + "; \u201c" + to + "\u201d answers its queries now.";
      notice.hidden = false;
      history.replaceState(null, "", location.search + "#" + to);
      el = document.getElementById(to);
    }
    el.hidden = false;
    el.classList.add("target");
    el.scrollIntoView();
    el.focus({ preventScroll: true });
  }

  form.addEventListener("input", function () { save(apply()); });
  form.addEventListener("change", function () { save(apply()); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("reset", function () {
    setTimeout(function () { save(apply()); }, 0);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = e.target && e.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
    e.preventDefault();
    control.q.focus();
    control.q.select();
  });
  window.addEventListener("hashchange", land);

  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var url = location.href.split("#")[0].split("?")[0] + "#" + button.getAttribute("data-id");
      var done = function () { button.textContent = "Link copied"; };
      var failed = function () { window.prompt("Link to this rule:", url); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(done, failed);
      } else {
        failed();
      }
    });
  });

  form.hidden = false;
  load();
  land();
  document.documentElement.setAttribute("data-ready", "");
})();
