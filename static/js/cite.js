// Copy buttons for the Cite panel: one beside each citation format. Added here rather than in
// the template so that a page without JavaScript shows no button that does nothing. Loaded as
// a static file: the Content Security Policy allows no inline script.
(function () {
  "use strict";
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain HTTP (a local deployment): the clipboard API is unavailable, the old command works.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy refused"));
    });
  }

  function setUp() {
    document.querySelectorAll(".cite-panel pre[data-copy]").forEach(function (pre) {
      var panel = pre.closest(".cite-panel");
      var status = panel.querySelector("[data-copy-status]");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "cite-copy";
      button.textContent = "Copy " + pre.dataset.copy;
      button.addEventListener("click", function () {
        copy(pre.textContent).then(
          function () { status.textContent = pre.dataset.copy + " copied to the clipboard."; },
          function () { status.textContent = "Could not copy; select the text and copy it instead."; }
        );
      });
      pre.insertAdjacentElement("afterend", button);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
