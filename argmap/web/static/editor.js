// argmap's editor: Argdown on the left, the diagram on the right, redrawn as you type.
//
// Every change is sent (debounced) to POST /preview/diagram.svg, which reads the document as an
// import would and draws it without storing anything; its problems come back as JSON naming
// their line, shown in a list and beside the line in the gutter. Save sends the text with
// PUT /ui/maps/{id}/argdown in one write: If-Match (the map's version when the editor opened)
// so that a change made meanwhile is shown, never overwritten; the CSRF token of this page's
// session goes in X-CSRF-Token, as with every write from a page.
(function () {
  "use strict";

  var form = document.getElementById("editor");
  if (!form) return;
  var text = document.getElementById("argdown");
  var gutter = document.getElementById("gutter");
  var problems = document.getElementById("problems");
  var figure = document.getElementById("preview");
  var status = document.getElementById("preview-status");
  var saveStatus = document.getElementById("save-status");
  var conflict = document.getElementById("conflict");
  var idInput = document.getElementById("map-id");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var DELAY = 100; // ms after the last key (the seed map draws in about 100-270 ms on a busy 2-core machine)
  var timer = null;
  var inflight = null;
  var seq = 0;
  var badLines = new Set();

  // -- The gutter: one number per line, problems marked ----------------------------------

  function lineCount() { return text.value.split("\n").length; }

  function drawGutter() {
    var n = lineCount();
    var items = [];
    for (var i = 1; i <= n; i++) {
      var li = document.createElement("li");
      li.textContent = String(i);
      li.dataset.line = String(i);
      if (badLines.has(i)) li.className = "is-problem";
      items.push(li);
    }
    gutter.replaceChildren.apply(gutter, items);
    gutter.scrollTop = text.scrollTop;
  }

  text.addEventListener("scroll", function () { gutter.scrollTop = text.scrollTop; });

  function goToLine(n) {
    var lines = text.value.split("\n");
    var at = 0;
    for (var i = 0; i < n - 1 && i < lines.length; i++) at += lines[i].length + 1;
    text.focus();
    text.setSelectionRange(at, at + (lines[n - 1] || "").length);
  }

  function showProblems(list) {
    badLines = new Set();
    if (!list.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "None.";
      problems.replaceChildren(none);
      text.removeAttribute("aria-invalid");
      drawGutter();
      return;
    }
    var items = list.map(function (p) {
      var li = document.createElement("li");
      var m = /^line (\d+)/.exec(p.field || "");
      if (m) {
        var n = Number(m[1]);
        badLines.add(n);
        li.dataset.line = String(n);
        var b = document.createElement("button");
        b.type = "button";
        b.className = "link";
        b.textContent = "Line " + n;
        b.addEventListener("click", function () { goToLine(n); });
        li.append(b, ": " + p.reason);
      } else {
        li.textContent = (p.field && p.field !== "$" ? p.field + ": " : "") + p.reason;
      }
      return li;
    });
    problems.replaceChildren.apply(problems, items);
    text.setAttribute("aria-invalid", "true");
    drawGutter();
  }

  // -- The preview ---------------------------------------------------------------------------

  var UNSAFE = new Set(["script", "foreignObject", "iframe", "object", "embed", "image", "use", "a"]);

  function clean(svg) {
    Array.prototype.slice.call(svg.querySelectorAll("*")).forEach(function (el) {
      if (UNSAFE.has(el.localName)) { el.remove(); return; }
      Array.prototype.slice.call(el.attributes).forEach(function (at) {
        var name = at.name.toLowerCase();
        if (name.indexOf("on") === 0 || (/href$/.test(name) && at.value.charAt(0) !== "#")) el.removeAttribute(at.name);
      });
      if (el.id) { el.setAttribute("data-statement", el.id); el.id = "preview:" + el.id; }
    });
  }

  function preview() {
    var mine = ++seq;
    if (inflight) inflight.abort();
    inflight = new AbortController();
    var started = performance.now();
    status.textContent = "Drawing…";
    fetch(form.dataset.preview, {
      method: "POST", body: text.value, signal: inflight.signal,
      headers: { "Content-Type": "text/x-argdown", Accept: "image/svg+xml" },
    }).then(function (res) {
      if (mine !== seq) return;
      if (!res.ok) {
        return res.json().then(function (body) {
          if (mine !== seq) return;
          showProblems(body.problems && body.problems.length ? body.problems : [{ field: "$", reason: body.message }]);
          status.textContent = "The diagram shows the last version without problems.";
          figure.classList.add("is-stale");
        });
      }
      return res.text().then(function (svgText) {
        if (mine !== seq) return;
        var doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
        var svg = doc.documentElement;
        if (svg.localName !== "svg" || doc.querySelector("parsererror")) throw new Error("the drawing is not valid SVG");
        clean(svg);
        svg = document.adoptNode(svg);
        var w = parseFloat(svg.getAttribute("width")), h = parseFloat(svg.getAttribute("height"));
        if (!svg.getAttribute("viewBox") && w && h) svg.setAttribute("viewBox", "0 0 " + w + " " + h);
        svg.removeAttribute("width");
        svg.removeAttribute("height");
        svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", figure.dataset.label);
        figure.replaceChildren(svg);
        figure.classList.remove("is-stale");
        showProblems([]);
        var server = res.headers.get("Server-Timing") || "";
        status.textContent = "Drawn in " + Math.round(performance.now() - started) + " ms" +
          (server ? " (server: " + server.replace(/;dur=/g, " ") + " ms)" : "") + ".";
        form.dataset.drawn = String(mine);
      });
    }).catch(function (err) {
      if (err && err.name === "AbortError") return;
      status.textContent = "Could not draw: " + err.message;
    });
  }

  function changed() {
    drawGutter();
    saveStatus.textContent = "";
    clearTimeout(timer);
    timer = setTimeout(preview, DELAY);
  }

  text.addEventListener("input", changed);

  // -- Saving --------------------------------------------------------------------------------

  function mapId() { return form.dataset.map || (idInput ? idInput.value.trim() : ""); }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (form.dataset.canSave !== "yes") return;
    var id = mapId();
    var idProblem = document.getElementById("map-id-problem");
    if (idInput) {
      idProblem.textContent = "";
      idInput.removeAttribute("aria-invalid");
      if (!idInput.checkValidity()) {
        idProblem.textContent = id ? "Use letters, digits and - _ . : ~ only." : "Give the map an id.";
        idInput.setAttribute("aria-invalid", "true");
        idInput.focus();
        return;
      }
    }
    var headers = { "Content-Type": "text/x-argdown", Accept: "application/json" };
    if (csrfMeta) headers["X-CSRF-Token"] = csrfMeta.content;
    if (form.dataset.etag) headers["If-Match"] = form.dataset.etag;
    else headers["If-None-Match"] = "*";
    saveStatus.textContent = "Saving…";
    fetch(form.dataset.save + encodeURIComponent(id) + "/argdown", { method: "PUT", body: text.value, headers: headers })
      .then(function (res) {
        return res.json().then(function (body) { return { res: res, body: body }; },
          function () { return { res: res, body: { message: res.status + " " + res.statusText, problems: [] } }; });
      })
      .then(function (r) {
        if (r.res.ok) {
          conflict.hidden = true;
          form.dataset.etag = r.body.etag;
          if (!form.dataset.map) {
            window.location.assign(r.body.href);
            return;
          }
          saveStatus.replaceChildren("Saved. ");
          var a = document.createElement("a");
          a.href = r.body.href;
          a.textContent = "Open the map";
          saveStatus.append(a);
          showProblems([]);
          return;
        }
        if ((r.res.status === 412 || r.res.status === 409) && r.body.current !== undefined && r.body.current !== null) {
          document.getElementById("current").value = r.body.current;
          conflict.hidden = false;
          if (r.res.status === 412) form.dataset.etag = r.body.etag; // saving again replaces what is shown
          saveStatus.textContent = r.body.message;
          conflict.querySelector("h2").scrollIntoView();
          return;
        }
        if (r.body.problems && r.body.problems.some(function (p) { return /^line \d+/.test(p.field || ""); })) {
          showProblems(r.body.problems);
        } else if (idInput && r.body.problems && r.body.problems.some(function (p) { return p.field === "id"; })) {
          document.getElementById("map-id-problem").textContent = r.body.message;
          idInput.setAttribute("aria-invalid", "true");
        }
        saveStatus.textContent = "Not saved: " + (r.body.message || r.res.statusText);
      })
      .catch(function (err) { saveStatus.textContent = "Not saved: " + err.message; });
  });

  drawGutter();
  preview();
})();
