// argmap's map page: the drawings with pan and zoom, statements opened in place, search.
//
// The page works without this script (links and forms reload it); the script only saves
// round trips. Map text reaches the page through textContent, or as HTML our server escaped
// (the statement panel); the drawings are our own SVG exports, parsed as XML and cleaned of
// anything that could run or fetch before they join the page.
(function () {
  "use strict";

  var main = document.getElementById("main");
  if (!main || !main.dataset.map) return; // the list of maps needs no script

  var panel = document.getElementById("panel");
  var live = document.getElementById("live");
  var wide = window.matchMedia("(min-width: 62em)");
  var statementIds = new Set(
    Array.prototype.map.call(document.querySelectorAll("#focus option"), function (o) { return o.value; })
      .filter(Boolean)
  );
  var drawings = {}; // "diagram" | "timeline" -> {figure, svg, full, view}
  var request = 0; // the latest panel request; older answers are dropped

  // -- Drawings ------------------------------------------------------------------------------

  var UNSAFE = new Set(["script", "foreignObject", "iframe", "object", "embed", "image", "use", "a"]);

  // Our SVGs name elements after statement ids; both drawings share the page, so ids get a
  // prefix and the statement id moves to data-statement (references are rewritten to match).
  function clean(svg, prefix) {
    Array.prototype.slice.call(svg.querySelectorAll("*")).forEach(function (el) {
      if (UNSAFE.has(el.localName)) { el.remove(); return; }
      Array.prototype.slice.call(el.attributes).forEach(function (at) {
        var name = at.name.toLowerCase();
        if (name.indexOf("on") === 0 || (/href$/.test(name) && at.value.charAt(0) !== "#")) {
          el.removeAttribute(at.name);
        } else if (at.value.indexOf("url(#") !== -1) {
          el.setAttribute(at.name, at.value.replace(/url\(#/g, "url(#" + prefix));
        } else if (/href$/.test(name)) {
          el.setAttribute(at.name, "#" + prefix + at.value.slice(1));
        }
      });
      if (el.id) {
        if (statementIds.has(el.id)) el.setAttribute("data-statement", el.id);
        el.id = prefix + el.id;
      }
    });
  }

  function loadDrawing(name) {
    var figure = document.getElementById(name);
    if (!figure) return Promise.resolve();
    return fetch(figure.dataset.src, { headers: { Accept: "image/svg+xml" } })
      .then(function (res) {
        if (!res.ok) {
          return res.json().then(function (body) { throw new Error(body.message || res.statusText); },
            function () { throw new Error(res.status + " " + res.statusText); });
        }
        return res.text();
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "image/svg+xml");
        var svg = doc.documentElement;
        if (svg.localName !== "svg" || doc.querySelector("parsererror")) throw new Error("the drawing is not valid SVG");
        clean(svg, name + ":");
        svg = document.adoptNode(svg);
        var vb = (svg.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
        if (vb.length !== 4 || vb.some(isNaN)) {
          vb = [0, 0, parseFloat(svg.getAttribute("width")) || 1000, parseFloat(svg.getAttribute("height")) || 1000];
        }
        svg.removeAttribute("width");
        svg.removeAttribute("height");
        svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", figure.dataset.label);
        figure.replaceChildren(svg);
        figure.tabIndex = 0;
        figure.setAttribute("aria-label", figure.dataset.label + ": arrow keys move, + and − zoom, 0 fits");
        var d = { figure: figure, svg: svg, full: { x: vb[0], y: vb[1], w: vb[2], h: vb[3] } };
        drawings[name] = d;
        setView(d, d.full);
        setView(d, startView(d));
        panZoom(d);
        var controls = document.querySelector('.zoom[data-for="' + name + '"]');
        if (controls) controls.hidden = false;
      })
      .catch(function (err) {
        var p = document.createElement("p");
        p.className = "problem";
        p.textContent = "This drawing cannot be shown: " + err.message;
        figure.replaceChildren(p);
        figure.classList.add("failed");
      });
  }

  // The first view: the whole drawing when it is readable so; else, at a readable scale, the
  // top of it around the figure's start statement (the map's conclusion), or its top left.
  var READABLE = 1.0; // pixels per SVG unit: 10-11 px text in both drawings
  var FIT_IF = 0.7; // fitting the whole drawing is fine down to this scale
  function startView(d) {
    var box = d.svg.getBoundingClientRect();
    var bw = box.width || 1, bh = box.height || 1;
    if (Math.min(bw / d.full.w, bh / d.full.h) >= FIT_IF) return d.full;
    var w = bw / READABLE, h = bh / READABLE;
    if (bw / d.full.w >= FIT_IF) { // fits across: fit the width, show the top
      return { x: d.full.x, y: d.full.y, w: d.full.w, h: d.full.w * bh / bw };
    }
    var x = d.full.x, y = d.full.y;
    var id = d.figure.dataset.start;
    var el = id && d.svg.querySelector('g[data-statement="' + CSS.escape(id) + '"]');
    if (el) {
      var r = el.getBoundingClientRect();
      var a = userPoint(d, r.left, r.top), b = userPoint(d, r.right, r.bottom);
      x = (a.x + b.x) / 2 - w / 2;
      y = a.y - 0.15 * h;
    }
    return inside(d, { x: x, y: y, w: w, h: h });
  }

  // Slide a view (not resize it) so that it shows no more empty space than it must.
  function inside(d, v) {
    var f = d.full;
    var x = v.w >= f.w ? f.x + (f.w - v.w) / 2 : Math.min(Math.max(v.x, f.x), f.x + f.w - v.w);
    var y = v.h >= f.h ? f.y + (f.h - v.h) / 2 : Math.min(Math.max(v.y, f.y), f.y + f.h - v.h);
    return { x: x, y: y, w: v.w, h: v.h };
  }

  function setView(d, v) {
    d.view = v;
    d.svg.setAttribute("viewBox", [v.x, v.y, v.w, v.h].join(" "));
  }

  // Zoom by `factor` (> 1 is closer) keeping the user-space point (cx, cy) where it is.
  function zoom(d, factor, cx, cy) {
    var v = d.view;
    var w = Math.min(Math.max(v.w / factor, d.full.w / 60), d.full.w * 2);
    var f = v.w / w;
    if (cx === undefined) { cx = v.x + v.w / 2; cy = v.y + v.h / 2; }
    setView(d, { x: cx - (cx - v.x) / f, y: cy - (cy - v.y) / f, w: w, h: v.h / f });
  }

  function userPoint(d, clientX, clientY) {
    var m = d.svg.getScreenCTM();
    return m ? new DOMPoint(clientX, clientY).matrixTransform(m.inverse()) : { x: 0, y: 0 };
  }

  function unitsPerPixel(d) {
    var r = d.svg.getBoundingClientRect();
    return Math.max(d.view.w / (r.width || 1), d.view.h / (r.height || 1));
  }

  function panZoom(d) {
    var svg = d.svg;
    var pointers = new Map();
    var start = null; // {x, y, view} of a one-finger or mouse drag
    var pinch = null; // {dist, view}
    var dragged = false;

    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = userPoint(d, e.clientX, e.clientY);
      zoom(d, Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), p.x, p.y);
    }, { passive: false });

    svg.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      dragged = false;
      if (pointers.size === 1) start = { x: e.clientX, y: e.clientY, view: d.view };
      if (pointers.size === 2) {
        var ps = Array.from(pointers.values());
        pinch = { dist: Math.hypot(ps[0].x - ps[1].x, ps[0].y - ps[1].y) || 1, view: d.view };
      }
    });
    svg.addEventListener("pointermove", function (e) {
      if (!pointers.has(e.pointerId)) return;
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (pinch && pointers.size === 2) {
        var ps = Array.from(pointers.values());
        var dist = Math.hypot(ps[0].x - ps[1].x, ps[0].y - ps[1].y) || 1;
        var mid = userPoint(d, (ps[0].x + ps[1].x) / 2, (ps[0].y + ps[1].y) / 2);
        zoom(d, dist / pinch.dist, mid.x, mid.y);
        pinch.dist = dist;
        dragged = true;
      } else if (start) {
        var dx = e.clientX - start.x, dy = e.clientY - start.y;
        if (!dragged && Math.hypot(dx, dy) < 5) return; // still a click
        if (!dragged) { dragged = true; svg.setPointerCapture(e.pointerId); svg.classList.add("dragging"); }
        var u = Math.max(start.view.w / (svg.getBoundingClientRect().width || 1),
          start.view.h / (svg.getBoundingClientRect().height || 1));
        setView(d, { x: start.view.x - dx * u, y: start.view.y - dy * u, w: start.view.w, h: start.view.h });
      }
    });
    function end(e) {
      pointers.delete(e.pointerId);
      if (pointers.size < 2) pinch = null;
      if (pointers.size === 0) { start = null; svg.classList.remove("dragging"); }
    }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);

    svg.addEventListener("click", function (e) {
      if (dragged) { dragged = false; return; }
      var el = e.target.closest("[data-statement]");
      if (el) open(el.getAttribute("data-statement"), { push: true, from: "drawing" });
    });

    d.figure.addEventListener("keydown", function (e) {
      if (e.target !== d.figure || e.altKey || e.ctrlKey || e.metaKey) return;
      var step = 60 * unitsPerPixel(d), v = d.view;
      var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[e.key]) setView(d, { x: v.x + moves[e.key][0], y: v.y + moves[e.key][1], w: v.w, h: v.h });
      else if (e.key === "+" || e.key === "=") zoom(d, 1.25);
      else if (e.key === "-") zoom(d, 0.8);
      else if (e.key === "0") setView(d, d.full);
      else return;
      e.preventDefault();
    });
  }

  document.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-zoom]");
    if (!b) return;
    var d = drawings[b.closest(".zoom").dataset.for];
    if (!d) return;
    if (b.dataset.zoom === "in") zoom(d, 1.4);
    else if (b.dataset.zoom === "out") zoom(d, 1 / 1.4);
    else setView(d, d.full);
  });

  // Mark the statement in both drawings and the lists; bring it into view when asked.
  function highlight(id, reveal) {
    var sel = id ? '[data-statement="' + CSS.escape(id) + '"]' : null;
    document.querySelectorAll(".is-selected").forEach(function (el) { el.classList.remove("is-selected"); });
    document.querySelectorAll('a[aria-current="true"]').forEach(function (el) { el.removeAttribute("aria-current"); });
    if (!sel) return;
    document.querySelectorAll("a" + sel).forEach(function (a) { a.setAttribute("aria-current", "true"); });
    Object.keys(drawings).forEach(function (name) {
      var d = drawings[name];
      var el = d.svg.querySelector("g" + sel);
      if (!el) return;
      el.classList.add("is-selected");
      if (reveal) centre(d, el);
    });
  }

  function centre(d, el) {
    var r = el.getBoundingClientRect();
    var a = userPoint(d, r.left, r.top), b = userPoint(d, r.right, r.bottom);
    var box = d.svg.getBoundingClientRect();
    // Close enough to read, never further out than the reader has zoomed.
    var w = Math.min(d.view.w, Math.max((box.width || 1) / READABLE, (b.x - a.x) * 1.2));
    var h = w * (box.height || 1) / (box.width || 1);
    // A third of the way down: in a top-down diagram its reasons hang below it.
    setView(d, inside(d, { x: (a.x + b.x) / 2 - w / 2, y: (a.y + b.y) / 2 - h / 3, w: w, h: h }));
  }

  // -- The statement panel ---------------------------------------------------------------

  function pageUrl(params) {
    var url = new URL(location.href);
    Object.keys(params).forEach(function (k) {
      if (params[k] === null) url.searchParams.delete(k); else url.searchParams.set(k, params[k]);
    });
    return url;
  }

  // The view form reloads the page: it keeps the statement open now, not the one at load.
  function keepInViewForm(id) {
    var form = document.querySelector("form.view");
    if (!form) return;
    var input = form.querySelector('input[name="statement"]');
    if (!id) { if (input) input.remove(); return; }
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "statement";
      form.querySelector("fieldset").appendChild(input);
    }
    input.value = id;
  }

  function open(id, opts) {
    var mine = ++request;
    keepInViewForm(id);
    highlight(id, opts.from !== "drawing");
    if (opts.push) history.pushState({ statement: id }, "", pageUrl({ statement: id }));
    var url = main.dataset.panel + encodeURIComponent(id) + "/panel" + (main.dataset.view ? "?" + main.dataset.view : "");
    return fetch(url, { headers: { Accept: "text/html" } })
      .then(function (res) { return res.text(); })
      .then(function (html) {
        if (mine !== request) return;
        // Our server's autoescaped HTML, parsed inertly (no script runs in a parsed document).
        var doc = new DOMParser().parseFromString(html, "text/html");
        panel.replaceChildren.apply(panel, Array.from(doc.body.childNodes).map(function (n) {
          return document.adoptNode(n);
        }));
        var text = panel.querySelector(".text");
        live.textContent = text ? "Opened: " + text.textContent : "";
        var heading = document.getElementById("panel-h");
        // Beside the drawings the panel is in sight: leave focus where the reader is. Below
        // them (narrow screens) go to it, or a click would seem to do nothing.
        if (heading && (!wide.matches || opts.from === "popstate")) heading.focus();
      })
      .catch(function (err) {
        if (mine !== request) return;
        var p = document.createElement("p");
        p.className = "problem";
        p.textContent = "This statement cannot be shown: " + err.message;
        panel.replaceChildren(p);
      });
  }

  function closePanel() {
    request++;
    keepInViewForm(null);
    highlight(null);
    var empty = document.getElementById("panel-empty");
    if (empty) panel.replaceChildren(document.importNode(empty.content, true));
  }

  document.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-statement]");
    if (!a || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    open(a.getAttribute("data-statement"), { push: true, from: "link" });
  });

  window.addEventListener("popstate", function () {
    var id = new URLSearchParams(location.search).get("statement");
    if (id) open(id, { push: false, from: "popstate" }); else closePanel();
  });

  // -- Search ------------------------------------------------------------------------------

  var form = document.querySelector("form.search");
  var results = document.getElementById("results");
  var hits = document.getElementById("hits");
  var count = document.getElementById("results-count");

  function hitItem(hit) {
    var st = hit.statement;
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.className = "st st-" + st.kind;
    a.href = pageUrl({ statement: st.id, q: null }).href;
    a.setAttribute("data-statement", st.id);
    var bdi = document.createElement("bdi");
    bdi.textContent = st.text;
    a.appendChild(bdi);
    li.appendChild(a);
    var meta = [hit.speaker, hit.date].filter(Boolean).join(" · ");
    if (meta) {
      var span = document.createElement("span");
      span.className = "meta";
      span.textContent = meta;
      li.appendChild(document.createTextNode(" "));
      li.appendChild(span);
    }
    return li;
  }

  if (form) {
    form.addEventListener("submit", function (e) {
      var q = form.elements.q.value.trim();
      e.preventDefault();
      history.replaceState(history.state, "", pageUrl({ q: q || null }));
      if (!q) { results.hidden = true; hits.replaceChildren(); return; }
      var api = new URL(form.dataset.search, location.href); // it may carry as_of: a past version's page
      api.searchParams.set("q", q);
      api.searchParams.set("limit", "50");
      fetch(api, { headers: { Accept: "application/json" } })
        .then(function (res) {
          return res.json().then(function (body) {
            if (!res.ok) throw new Error(body.message || res.statusText);
            return body;
          });
        })
        .then(function (body) {
          var n = body.items.length;
          count.textContent = n + " statement" + (n === 1 ? "" : "s") + " match “" + q + "”.";
          hits.replaceChildren.apply(hits, body.items.map(hitItem));
          results.hidden = false;
        })
        .catch(function (err) {
          count.textContent = "The search failed: " + err.message;
          hits.replaceChildren();
          results.hidden = false;
        });
    });
  }

  // -- Start -------------------------------------------------------------------------------

  Promise.all([loadDrawing("diagram"), loadDrawing("timeline")]).then(function () {
    var id = new URLSearchParams(location.search).get("statement");
    if (id) highlight(id, true);
  });
})();
