// Loaded before the ipywidgets HTML manager on pages with widgets (see _config.yml).
// Part of the course site, not of any npm package; build_book.py copies it next to them.
(function () {
  "use strict";
  // 1. The manager's modules load their icon fonts relative to where require.js says each
  //    module lives, by default next to the page (404). Place every module it defines in the
  //    site's own copy, _static/html-manager/. A global `require` object set before
  //    require.js loads is require.js's configuration.
  var managerDir = new URL("html-manager/", document.currentScript.src).href;
  var paths = { "@jupyter-widgets/html-manager/dist": managerDir.slice(0, -1) };
  ["base", "base7", "controls", "controls7", "html-manager"].forEach(function (name) {
    paths["@jupyter-widgets/" + name] = managerDir + name;
  });
  window.__jupyter_widgets_assets_path__ = managerDir;
  window.require = { paths: paths };

  // 2. ipywidgets' controls typeset their labels with the MathJax 2 call MathJax.Hub.Queue;
  //    the site loads MathJax 3, which has no Hub. Give it one that uses the MathJax 3 API.
  function addHub() {
    var mj = window.MathJax;
    if (!mj || mj.Hub) { return; }
    mj.Hub = {
      Queue: function (job) {
        var element = Array.isArray(job) ? job[2] : undefined;
        var ready = (mj.startup && mj.startup.promise) || Promise.resolve();
        ready.then(function () {
          return mj.typesetPromise ? mj.typesetPromise(element ? [element] : undefined) : null;
        }).catch(function (err) { console.warn("MathJax typeset of a widget label failed", err); });
      }
    };
  }
  // MathJax is a deferred script: it has replaced window.MathJax before DOMContentLoaded,
  // and the widget manager renders on "load", after that.
  document.addEventListener("DOMContentLoaded", addHub);
  addHub();
})();
