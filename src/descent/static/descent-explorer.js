/* The course's page explorers: descent's update rules and objectives, ported to run in the reader's browser.
 *
 * Each <div class="descent-explorer"> holds, from the build (descent.page): a picture of the contours made
 * by matplotlib, the paths of the default settings drawn over it in SVG, and the explorer's declaration
 * (descent.explorers) as JSON. This script adds the controls, recomputes the paths on every change of a
 * control (sliders, a click or drag on the contours for θ_0), draws the losses, and lets the reader step
 * through one update at a time with its numbers (θ_t, g_t and the optimizer's state: m_t, v_t, ...).
 *
 * The port follows descent line by line (same operations, same order), so that its paths agree with
 * descent.minimize to rounding: tests/test_page_explorers.py compares them for random settings.
 * Test contract: element.descentExplorer.state() and .set(partialState), see descent/page.py.
 * The course's own code, MIT licence; no third-party code.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------- objectives (descent/objectives.py)
  function quadratic(k) {
    var lam = k.eigenvalues, angle = k.angle || 0;
    if (lam.length !== 2) throw new Error("the page explorers draw 2-D quadratics");
    var c = Math.cos(angle), s = Math.sin(angle);
    var R = [[c, -s], [s, c]];
    // A = R diag(λ) Rᵀ, then (A + Aᵀ)/2, in numpy's order of operations
    var RD = [[R[0][0] * lam[0], R[0][1] * lam[1]], [R[1][0] * lam[0], R[1][1] * lam[1]]];
    var A = [[RD[0][0] * R[0][0] + RD[0][1] * R[0][1], RD[0][0] * R[1][0] + RD[0][1] * R[1][1]],
             [RD[1][0] * R[0][0] + RD[1][1] * R[0][1], RD[1][0] * R[1][0] + RD[1][1] * R[1][1]]];
    A = [[(A[0][0] + A[0][0]) / 2, (A[0][1] + A[1][0]) / 2], [(A[1][0] + A[0][1]) / 2, (A[1][1] + A[1][1]) / 2]];
    function grad(p) { return [A[0][0] * p[0] + A[0][1] * p[1], A[1][0] * p[0] + A[1][1] * p[1]]; }
    return { value: function (p) { var g = grad(p); return 0.5 * (p[0] * g[0] + p[1] * g[1]); }, grad: grad };
  }
  var OBJECTIVES = {
    Quadratic: quadratic,
    Rosenbrock: function (k) {
      var a = k.a === undefined ? 1 : k.a, b = k.b === undefined ? 100 : k.b;
      return {
        value: function (p) { var gap = a - p[0], valley = p[1] - p[0] * p[0]; return gap * gap + b * valley * valley; },
        grad: function (p) {
          var valley = p[1] - p[0] * p[0];
          return [-2 * (a - p[0]) - 4 * b * p[0] * valley, 2 * b * valley];
        }
      };
    },
    Saddle: function () {
      return {
        value: function (p) { var y2 = p[1] * p[1]; return p[0] * p[0] - y2 + y2 * y2 / 4; },
        grad: function (p) { return [2 * p[0], p[1] * (p[1] * p[1] - 2)]; }
      };
    },
    Himmelblau: function () {
      function parts(p) { return [p[0] * p[0] + p[1] - 11, p[0] + p[1] * p[1] - 7]; }
      return {
        value: function (p) { var q = parts(p); return q[0] * q[0] + q[1] * q[1]; },
        grad: function (p) { var q = parts(p); return [4 * p[0] * q[0] + 2 * q[1], 2 * q[0] + 4 * p[1] * q[1]]; }
      };
    },
    Beale: function () {
      function r(x, y) { var y2 = y * y; return [1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y2 * y]; }
      return {
        value: function (p) { var q = r(p[0], p[1]); return q[0] * q[0] + q[1] * q[1] + q[2] * q[2]; },
        grad: function (p) {
          var x = p[0], y = p[1], q = r(x, y), y2 = y * y;
          return [2 * (q[0] * (y - 1) + q[1] * (y2 - 1) + q[2] * (y2 * y - 1)),
                  2 * x * (q[0] + 2 * q[1] * y + 3 * q[2] * y2)];
        }
      };
    },
    LinearRegressionMSE: function (k) {
      var xs = k.x, ys = k.y, n = xs.length;
      function residuals(p) { return xs.map(function (x, i) { return x * p[0] + p[1] - ys[i]; }); }
      return {
        value: function (p) { return residuals(p).reduce(function (s, r) { return s + r * r; }, 0) / n; },
        grad: function (p) {
          var r = residuals(p), ga = 0, gb = 0;
          for (var i = 0; i < n; i++) { ga += xs[i] * r[i]; gb += r[i]; }
          return [(2 / n) * ga, (2 / n) * gb];
        }
      };
    }
  };

  // ---------------------------------------------------------------- optimizers (descent/optimizers/)
  function divide(n, d, eps) { return eps > 0 ? n / d : (d !== 0 ? n / d : 0); }
  // f applied coordinate by coordinate to one or two 2-vectors (descent's tree_map, for a point of the plane)
  function map2(f) {
    return function (a, b) { return b === undefined ? [f(a[0]), f(a[1])] : [f(a[0], b[0]), f(a[1], b[1])]; };
  }
  var OPTIMIZERS = {
    GradientDescent: function (k) {
      return { init: function () { return { t: 0 }; },
               update: function (g, s) { return [map2(function (g) { return -k.lr * g; })(g), { t: s.t + 1 }]; } };
    },
    Momentum: function (k) {
      var beta = k.beta === undefined ? 0.9 : k.beta, form = k.form || "ewa", c = form === "ewa" ? 1 - beta : 1.0;
      return {
        init: function () { return { velocity: [0, 0] }; },
        update: function (g, s) {
          var v = map2(function (v, g) { return beta * v + c * g; })(s.velocity, g);
          var step = k.nesterov ? map2(function (v, g) { return -k.lr * (beta * v + c * g); })(v, g)
                                : map2(function (v) { return -k.lr * v; })(v);
          return [step, { velocity: v }];
        }
      };
    },
    AdaGrad: function (k) {
      var lr = k.lr === undefined ? 0.01 : k.lr, eps = k.eps === undefined ? 1e-10 : k.eps;
      return {
        init: function () { return { s: [0, 0] }; },
        update: function (g, st) {
          var s = map2(function (s, g) { return s + g * g; })(st.s, g);
          return [map2(function (s, g) { return -lr * divide(g, Math.sqrt(s) + eps, eps); })(s, g), { s: s }];
        }
      };
    },
    RMSProp: function (k) {
      var lr = k.lr === undefined ? 0.01 : k.lr, beta = k.beta === undefined ? 0.99 : k.beta;
      var eps = k.eps === undefined ? 1e-8 : k.eps;
      return {
        init: function () { return { v: [0, 0], t: 0 }; },
        update: function (g, st) {
          var t = st.t + 1;
          var v = map2(function (v, g) { return beta * v + (1 - beta) * g * g; })(st.v, g);
          var correction = k.bias_correction ? 1 - Math.pow(beta, t) : 1.0;
          var step = map2(function (v, g) {
            var vHat = v / correction;
            return k.eps_inside_sqrt ? -lr * divide(g, Math.sqrt(vHat + eps), eps)
                                     : -lr * divide(g, Math.sqrt(vHat) + eps, eps);
          })(v, g);
          return [step, { v: v, t: t }];
        }
      };
    },
    Adam: function (k) {
      var lr = k.lr === undefined ? 0.001 : k.lr, b1 = k.beta1 === undefined ? 0.9 : k.beta1;
      var b2 = k.beta2 === undefined ? 0.999 : k.beta2, eps = k.eps === undefined ? 1e-8 : k.eps;
      var corrected = k.bias_correction === undefined ? true : k.bias_correction;
      return {
        init: function () { return { m: [0, 0], v: [0, 0], t: 0, v_max: k.amsgrad ? [0, 0] : null }; },
        update: function (g, st) {
          var t = st.t + 1;
          var m = map2(function (m, g) { return b1 * m + (1 - b1) * g; })(st.m, g);
          var v = map2(function (v, g) { return b2 * v + (1 - b2) * g * g; })(st.v, g);
          var vMax = k.amsgrad ? map2(Math.max)(st.v_max, v) : null;
          var c1 = corrected ? 1 - Math.pow(b1, t) : 1.0, c2 = corrected ? 1 - Math.pow(b2, t) : 1.0;
          var step = map2(function (m, v) { return -lr * divide(m / c1, Math.sqrt(v / c2) + eps, eps); })(
            m, k.amsgrad ? vMax : v);
          return [step, { m: m, v: v, t: t, v_max: vMax }];
        }
      };
    }
  };

  // ---------------------------------------------------------------- minimize (descent/run.py)
  function finite(p) { return isFinite(p[0]) && isFinite(p[1]); }
  function minimize(f, x0, optimizer, steps, divergenceFactor) {
    var x = x0.slice(), loss = f.value(x);
    if (!isFinite(loss)) throw new Error("f(x0) must be finite, got " + loss);
    var maxLoss = divergenceFactor * Math.max(1.0, Math.abs(loss));
    var points = [x], losses = [loss], grads = [], states = [], stopped = null, state = optimizer.init(x);
    for (var t = 1; t <= steps; t++) {
      var g = f.grad(x);
      if (!finite(g)) { stopped = "the gradient at θ_" + (t - 1) + " became non-finite (diverged)"; break; }
      var out = optimizer.update(g, state);
      state = out[1];
      var next = [x[0] + out[0][0], x[1] + out[0][1]];
      if (!finite(next)) { stopped = "the point θ_" + t + " became non-finite (diverged)"; break; }
      loss = f.value(next);
      if (!isFinite(loss)) { stopped = "the loss became non-finite (diverged)"; break; }
      x = next;
      points.push(x); losses.push(loss); grads.push(g); states.push(state);
      if (loss > maxLoss) { stopped = "the loss exceeded " + maxLoss.toPrecision(3) + " (diverged)"; break; }
    }
    return { points: points, losses: losses, grads: grads, states: states, stopped: stopped };
  }

  // ---------------------------------------------------------------- declarations (descent/explorers.py)
  function resolve(template, settings) {
    if (Array.isArray(template)) return template.map(function (v) { return resolve(v, settings); });
    if (template && typeof template === "object") {
      if ("$" in template) {
        var value = settings[template.$];
        return "times" in template ? value * template.times : value;
      }
      var out = {};
      Object.keys(template).forEach(function (key) { out[key] = resolve(template[key], settings); });
      return out;
    }
    return template;
  }

  function format(value, fmt) {
    if (typeof value === "boolean") return value ? "on" : "off";
    if (typeof value === "string") return value;
    var m = /^\.(\d+)([fegd])$/.exec(fmt || ".2f") || [null, "3", "g"];
    var digits = +m[1];
    if (fmt === "d") return String(Math.round(value));
    if (m[2] === "f") return value.toFixed(digits);
    if (m[2] === "e") return value.toExponential(digits).replace(/e([+-])(\d)$/, "e$10$2");
    return String(+value.toPrecision(Math.max(digits, 1)));
  }
  function number(v) { return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4); }

  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, parent) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(el);
    return el;
  }
  function html(tag, attrs, parent, text) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (text !== undefined) el.textContent = text;
    if (parent) parent.appendChild(el);
    return el;
  }

  // ---------------------------------------------------------------- one explorer
  function Explorer(root) {
    var spec = JSON.parse(root.querySelector("script.descent-explorer-data").textContent);
    var plot = root.querySelector("svg.descent-explorer-plot");
    var self = this, settings = Object.assign({}, spec.settings), x0 = spec.x0.slice(), t = null;
    var runs = {}, inputs = {}, readouts = {};
    this.root = root;

    function picture() { return spec.pictures[spec.declaration.objective.choice ? settings[spec.declaration.objective.choice] : ""]; }
    function toPixel(p) {
      var g = picture().axes;
      return [g.left + (p[0] - g.xlim[0]) / (g.xlim[1] - g.xlim[0]) * g.width,
              g.top + (g.ylim[1] - p[1]) / (g.ylim[1] - g.ylim[0]) * g.height];
    }
    function toData(px) {
      var g = picture().axes;
      return [g.xlim[0] + (px[0] - g.left) / g.width * (g.xlim[1] - g.xlim[0]),
              g.ylim[1] - (px[1] - g.top) / g.height * (g.ylim[1] - g.ylim[0])];
    }
    function objectiveSpec() {
      var o = spec.declaration.objective;
      if (o.choice) return spec.pictures[settings[o.choice]].objective;
      return { name: o.name, kwargs: resolve(o.kwargs || {}, settings) };
    }
    function steps() { return "steps" in settings ? settings.steps : spec.declaration.steps; }
    function shownRuns() {
      var out = {};
      Object.keys(spec.declaration.runs).forEach(function (label) {
        var r = spec.declaration.runs[label];
        if (!r.when || settings[r.when]) out[label] = { optimizer: r.optimizer, kwargs: resolve(r.kwargs || {}, settings) };
      });
      return out;
    }

    // -- controls
    var panel = html("div", { "class": "descent-explorer-controls" });
    root.querySelector(".descent-explorer-figure").before(panel);
    spec.declaration.controls.forEach(function (c) {
      var label = html("label", { "class": "descent-control descent-control-" + c.kind }, panel);
      html("span", { "class": "descent-control-name" }, label, c.label);
      var input;
      if (c.kind === "bool") {
        input = html("input", { type: "checkbox" }, label);
        input.addEventListener("change", function () { self.set(obj(c.name, input.checked)); });
      } else if (c.kind === "choice") {
        input = html("select", {}, label);
        c.options.forEach(function (o) { html("option", { value: o }, input, o); });
        input.addEventListener("change", function () { self.set(obj(c.name, input.value)); });
      } else {
        var notches = c.notches.length ? c.notches : null;
        var attrs = notches ? { min: 0, max: notches.length - 1, step: 1 }
                  : c.scale === "log" ? { min: Math.log10(c.low), max: Math.log10(c.high), step: Math.log10(c.step) }
                  : { min: c.low, max: c.high, step: c.step };
        attrs.type = "range";
        attrs["aria-label"] = c.label;
        input = html("input", attrs, label);
        input.addEventListener("input", function () {
          var p = +input.value;
          var v = notches ? notches[p] : c.scale === "log" ? Math.pow(10, p) : p;
          if (c.kind === "int") v = Math.round(v);
          // a log slider's end is the range's end exactly, not 10 ** log10(end)
          if (c.scale === "log" && p >= +input.max) v = c.high;
          if (c.scale === "log" && p <= +input.min) v = c.low;
          self.set(obj(c.name, +(+v).toPrecision(12)));
        });
      }
      inputs[c.name] = input;
      readouts[c.name] = html("output", { "class": "descent-control-value" }, label);
    });
    function obj(k, v) { var o = {}; o[k] = v; return o; }
    function showControl(c) {
      var input = inputs[c.name], v = settings[c.name];
      if (c.kind === "bool") input.checked = v;
      else if (c.kind === "choice") input.value = v;
      else if (c.notches.length) {
        var best = 0;
        c.notches.forEach(function (n, i) { if (Math.abs(n - v) < Math.abs(c.notches[best] - v)) best = i; });
        input.value = best;
      } else input.value = c.scale === "log" ? Math.log10(v) : v;
      readouts[c.name].textContent = format(v, c.fmt);
    }

    // -- step-through and numbers
    var stepper = html("div", { "class": "descent-explorer-stepper" });
    panel.after(stepper);
    var back = html("button", { type: "button", "aria-label": "previous step" }, stepper, "◀");
    var forward = html("button", { type: "button", "aria-label": "next step" }, stepper, "▶ step");
    var whole = html("button", { type: "button" }, stepper, "whole run");
    var stepLabel = html("span", { "class": "descent-explorer-step" }, stepper, "");
    back.addEventListener("click", function () { self.step(t === null ? steps() : Math.max(0, t - 1)); });
    forward.addEventListener("click", function () { self.step(t === null ? 1 : t + 1); });
    whole.addEventListener("click", function () { self.step(null); });
    var numbers = html("table", { "class": "descent-explorer-numbers" });
    root.querySelector(".descent-explorer-figure").after(numbers);

    // -- the loss panel
    var lossBox = html("div", { "class": "descent-explorer-loss" }, root.querySelector(".descent-explorer-figure"));
    var loss = svg("svg", { viewBox: "0 0 320 240", role: "img", "aria-label": "loss against the step, log scale" }, lossBox);
    var LOSS = { left: 46, top: 22, width: 262, height: 180 };
    svg("rect", { x: LOSS.left, y: LOSS.top, width: LOSS.width, height: LOSS.height, fill: "white", stroke: "#444" }, loss);
    var lossTitle = svg("text", { x: LOSS.left + LOSS.width / 2, y: 14, "text-anchor": "middle", "class": "descent-svg-title" }, loss);
    lossTitle.textContent = spec.loss_label + " (log scale)";
    var stepText = svg("text", { x: LOSS.left + LOSS.width / 2, y: 236, "text-anchor": "middle" }, loss);
    stepText.textContent = "step t";
    var ticks = svg("g", {}, loss), lossLines = svg("g", {}, loss);

    // -- the paths over the picture
    var layer = plot.querySelector("g.descent-paths");
    var field = plot.querySelector("image.descent-field");
    var cursor = svg("g", { "class": "descent-cursor" }, layer);

    function pathElement(label) {
      var el = layer.querySelector('[data-run="' + CSS.escape(label) + '"]');
      if (!el) {
        var colour = spec.colours[label];
        el = svg("g", { "data-run": label }, layer);
        svg("polyline", { "class": "descent-path", fill: "none", stroke: colour }, el);
        svg("circle", { "class": "descent-start", r: 6, fill: "none", stroke: colour }, el);
      }
      return el;
    }

    function compute() {
      var o = objectiveSpec(), f = OBJECTIVES[o.name](o.kwargs), shown = shownRuns();
      runs = {};
      Object.keys(shown).forEach(function (label) {
        var r = shown[label];
        var result = minimize(f, x0, OPTIMIZERS[r.optimizer](r.kwargs), steps(), spec.divergence_factor);
        runs[label] = Object.assign(result, r);
      });
    }

    function draw() {
      var pic = picture();
      plot.querySelector("image.descent-background").setAttribute("href", pic.image);
      if (field) {
        var centre = toPixel([0, 0]), angle = spec.rotate ? settings[spec.rotate] : 0;
        field.setAttribute("transform", "rotate(" + (-angle) + " " + centre[0] + " " + centre[1] + ")");
      }
      Array.prototype.forEach.call(layer.querySelectorAll("[data-run]"), function (el) {
        el.style.display = runs[el.getAttribute("data-run")] ? "" : "none";
      });
      var upto = t === null ? Infinity : t;
      Object.keys(runs).forEach(function (label) {
        var run = runs[label], el = pathElement(label), pts = run.points.slice(0, upto + 1);
        el.querySelector("polyline").setAttribute("points", pixels(pts));
        var s = toPixel(x0), c = el.querySelector("circle");
        c.setAttribute("cx", s[0].toFixed(2)); c.setAttribute("cy", s[1].toFixed(2));
        el.classList.toggle("descent-diverged", !!run.stopped);
        el.classList.toggle("descent-faint", faint(label));
      });
      drawLosses(); drawCursor(); drawNumbers();
    }

    // Declared faint, or its "strong_when" controls do not have their values (descent.explorers.Declaration.faint)
    function faint(label) {
      var declared = spec.declaration.runs[label], strong = declared.strong_when || {};
      return !!declared.faint || Object.keys(strong).some(function (k) { return settings[k] !== strong[k]; });
    }

    // The points of a path as SVG pixels, leaving out those less than half a pixel from the last one kept
    // (invisible, and a 2000-step run would otherwise cost more to draw than to compute).
    function pixels(points) {
      var out = [], last = null;
      points.forEach(function (p, i) {
        var q = toPixel(p);
        if (last && i < points.length - 1 && Math.abs(q[0] - last[0]) + Math.abs(q[1] - last[1]) < 0.5) return;
        out.push(q[0].toFixed(1) + "," + q[1].toFixed(1));
        last = q;
      });
      return out.join(" ");
    }

    function drawLosses() {
      while (ticks.firstChild) ticks.removeChild(ticks.firstChild);
      while (lossLines.firstChild) lossLines.removeChild(lossLines.firstChild);
      var fStar = picture().minimum, lo = Infinity, hi = -Infinity, n = steps();
      var gaps = {};
      Object.keys(runs).forEach(function (label) {
        gaps[label] = runs[label].losses.map(function (l) { return l - (fStar === null ? 0 : fStar); });
        gaps[label].forEach(function (g) { if (g > 0 && isFinite(g)) { lo = Math.min(lo, g); hi = Math.max(hi, g); } });
      });
      if (!isFinite(lo)) { lo = 1e-16; hi = 1; }
      lo = Math.max(lo, hi * 1e-16);
      var top = Math.ceil(Math.log10(hi)), bottom = Math.floor(Math.log10(lo));
      if (top === bottom) top += 1;
      function y(v) { return LOSS.top + (top - Math.log10(Math.max(v, Math.pow(10, bottom)))) / (top - bottom) * LOSS.height; }
      function x(i) { return LOSS.left + i / n * LOSS.width; }
      var every = Math.max(1, Math.ceil((top - bottom) / 6));
      for (var d = bottom; d <= top; d += every) {
        svg("line", { x1: LOSS.left, x2: LOSS.left + LOSS.width, y1: y(Math.pow(10, d)), y2: y(Math.pow(10, d)), stroke: "#ddd" }, ticks);
        svg("text", { x: LOSS.left - 4, y: y(Math.pow(10, d)) + 4, "text-anchor": "end" }, ticks).textContent = "1e" + d;
      }
      svg("text", { x: LOSS.left, y: LOSS.top + LOSS.height + 14, "text-anchor": "middle" }, ticks).textContent = "0";
      svg("text", { x: LOSS.left + LOSS.width, y: LOSS.top + LOSS.height + 14, "text-anchor": "middle" }, ticks).textContent = String(n);
      Object.keys(gaps).forEach(function (label) {
        var every = Math.max(1, Math.ceil(gaps[label].length / 600)), pts = [];  // ~2 points per pixel column
        gaps[label].forEach(function (g, i) {
          if (i % every === 0 || i === gaps[label].length - 1) pts.push(x(i).toFixed(1) + "," + y(g).toFixed(1));
        });
        svg("polyline", { fill: "none", stroke: spec.colours[label], "stroke-width": 1.6, points: pts.join(" "),
                          "class": faint(label) ? "descent-faint" : "" }, lossLines);
      });
      if (t !== null) svg("line", { x1: x(t), x2: x(t), y1: LOSS.top, y2: LOSS.top + LOSS.height, stroke: "#888", "stroke-dasharray": "3 3" }, lossLines);
    }

    function drawCursor() {
      while (cursor.firstChild) cursor.removeChild(cursor.firstChild);
      stepLabel.textContent = t === null ? "all " + steps() + " steps" : "step t = " + t + " of " + steps();
      if (t === null) return;
      Object.keys(runs).forEach(function (label) {
        var run = runs[label];
        if (t >= run.points.length) return;
        var p = toPixel(run.points[t]), colour = spec.colours[label];
        svg("circle", { cx: p[0], cy: p[1], r: 5, fill: colour, stroke: "black" }, cursor);
        if (t + 1 < run.points.length) {  // the next update, as an arrow
          var q = toPixel(run.points[t + 1]);
          svg("line", { x1: p[0], y1: p[1], x2: q[0], y2: q[1], stroke: colour, "stroke-width": 2.5,
                        "marker-end": "url(#" + root.id + "-arrow)" }, cursor);
        }
      });
    }

    function drawNumbers() {
      numbers.innerHTML = "";
      numbers.hidden = t === null;
      if (t === null) return;
      var head = html("tr", {}, numbers);
      ["run", "θ_t", "f(θ_t)", "g_t (gradient)", "state after step t"].forEach(function (h) { html("th", {}, head, h); });
      Object.keys(runs).forEach(function (label) {
        var run = runs[label], row = html("tr", {}, numbers);
        html("td", { style: "color:" + spec.colours[label] }, row, label);
        if (t >= run.points.length) { html("td", { colspan: 4 }, row, "stopped at step " + (run.points.length - 1) + ": " + run.stopped); return; }
        var p = run.points[t];
        html("td", {}, row, "(" + number(p[0]) + ", " + number(p[1]) + ")");
        html("td", {}, row, number(run.losses[t]));
        var g = t >= 1 ? run.grads[t - 1] : null;
        html("td", {}, row, g ? "(" + number(g[0]) + ", " + number(g[1]) + ")" : "–");
        var state = t >= 1 ? run.states[t - 1] : null;
        html("td", {}, row, state ? Object.keys(state).filter(function (k) { return k !== "t" && state[k] !== null; })
          .map(function (k) { return k + " = (" + number(state[k][0]) + ", " + number(state[k][1]) + ")"; }).join("; ") || "–" : "–");
      });
    }

    // -- a click or a drag on the contours sets θ_0
    var dragging = false;
    function pointer(event) {
      var m = plot.getScreenCTM();
      if (!m) return null;
      var pt = plot.createSVGPoint();
      pt.x = event.clientX; pt.y = event.clientY;
      var q = pt.matrixTransform(m.inverse()), g = picture().axes;
      if (q.x < g.left || q.x > g.left + g.width || q.y < g.top || q.y > g.top + g.height) return null;
      return toData([q.x, q.y]);
    }
    plot.addEventListener("pointerdown", function (e) {
      var p = pointer(e);
      if (!p) return;
      dragging = true;
      plot.setPointerCapture && plot.setPointerCapture(e.pointerId);
      self.set({ x0: p });
      e.preventDefault();
    });
    plot.addEventListener("pointermove", function (e) { if (dragging) { var p = pointer(e); if (p) self.set({ x0: p }); } });
    ["pointerup", "pointercancel"].forEach(function (n) { plot.addEventListener(n, function () { dragging = false; }); });

    // -- the test contract
    this.state = function () {
      var out = { objective: objectiveSpec(), x0: x0.slice(), steps: steps(), runs: {} };
      Object.keys(runs).forEach(function (label) {
        var r = runs[label];
        out.runs[label] = { optimizer: r.optimizer, kwargs: r.kwargs, path: r.points.map(function (p) { return p.slice(); }),
                            stopped: r.stopped };
      });
      out.settings = Object.assign({}, settings);
      return out;
    };
    this.set = function (partial) {
      var next = Object.assign({}, settings), nextX0 = x0, controls = spec.declaration.controls;
      Object.keys(partial).forEach(function (key) {
        var value = partial[key];
        if (key === "x0") {
          if (!Array.isArray(value) || value.length !== 2 || !value.every(isFinite)) throw new Error("x0 must be [x, y], got " + JSON.stringify(value));
          nextX0 = [+value[0], +value[1]];
          return;
        }
        var c = controls.filter(function (c) { return c.name === key; })[0];
        if (!c) throw new Error(spec.declaration.name + " has no control " + key);
        if (c.kind === "choice" ? c.options.indexOf(value) < 0 : c.kind === "bool" ? typeof value !== "boolean"
            : !(typeof value === "number" && value >= c.low && value <= c.high)) {
          throw new Error(key + " must be " + (c.kind === "choice" ? "one of " + c.options.join(", ") : c.kind === "bool"
            ? "true or false" : "between " + c.low + " and " + c.high) + ", got " + JSON.stringify(value));
        }
        next[key] = value;
        if (c.kind === "choice" && key === spec.declaration.objective.choice && !("x0" in partial)) {
          var reset = spec.pictures[value].defaults;  // another objective: its own learning rates and start
          Object.keys(reset).forEach(function (k) { if (k === "x0") nextX0 = reset.x0.slice(); else if (!(k in partial)) next[k] = reset[k]; });
        }
      });
      settings = next; x0 = nextX0;
      if (t !== null && t > steps()) t = steps();
      controls.forEach(showControl);
      compute(); draw();
      return this.state();
    };
    this.step = function (k) { t = k === null ? null : Math.max(0, Math.min(steps(), k)); draw(); return t; };

    var marker = svg("marker", { id: root.id + "-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 5,
                                 markerHeight: 5, orient: "auto-start-reverse" }, svg("defs", {}, plot));
    svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "context-stroke" }, marker);
    root.classList.add("descent-explorer-live");
    spec.declaration.controls.forEach(showControl);
    compute(); draw();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".descent-explorer"), function (root) {
      if (root.descentExplorer) return;
      try { root.descentExplorer = new Explorer(root); }
      catch (error) { root.classList.add("descent-explorer-failed"); throw error; }
    });
  }
  window.descentExplorers = { start: start, minimize: minimize, OBJECTIVES: OBJECTIVES, OPTIMIZERS: OPTIMIZERS };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
