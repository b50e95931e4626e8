// 국방 브리핑룸: font size (remembered), scrolling, printing and confirmations. No inline script:
// the page's Content-Security-Policy allows only files like this one.
(function () {
  "use strict";
  var KEY = "briefroom.fontScale";
  var MIN = 0.8, MAX = 1.6, STEP = 0.1;

  function readScale() {
    try {
      var value = parseFloat(window.localStorage.getItem(KEY));
      return isFinite(value) ? Math.min(MAX, Math.max(MIN, value)) : 1;
    } catch (e) {
      return 1;
    }
  }

  function applyScale(scale) {
    document.documentElement.style.setProperty("--post-scale", String(scale));
  }

  function saveScale(scale) {
    try {
      window.localStorage.setItem(KEY, String(scale));
    } catch (e) { /* private mode: the size still applies to this page */ }
  }

  applyScale(readScale());

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-font], [data-print], [data-scroll]");
    if (!target) return;
    if (target.hasAttribute("data-font")) {
      var scale = readScale() + (target.getAttribute("data-font") === "up" ? STEP : -STEP);
      scale = Math.round(Math.min(MAX, Math.max(MIN, scale)) * 10) / 10;
      applyScale(scale);
      saveScale(scale);
    } else if (target.hasAttribute("data-print")) {
      window.print();
    } else if (target.hasAttribute("data-scroll")) {
      event.preventDefault();
      var top = target.getAttribute("data-scroll") === "top";
      window.scrollTo({ top: top ? 0 : document.documentElement.scrollHeight, behavior: "smooth" });
    }
  });

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
