// The case filters start folded so that a phone shows the results first. A screen wide
// enough for the sidebar layout (site.css: above 800 px) has room for both: unfold them.
const panel = document.getElementById("filters");
if (panel && window.matchMedia("(min-width: 801px)").matches) {
  panel.open = true;
}
