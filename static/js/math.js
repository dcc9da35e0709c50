// Typesets the maths of posts and previews with the vendored KaTeX, in the browser.
// The server stores each formula as its escaped TeX source in <span class="math inline">,
// <span class="math display"> or <div class="math display"> (threads/markdown.py), so
// without JavaScript the source shows. KaTeX builds its nodes with the DOM API (no inline
// script or style markup), so the CSP holds; copy-tex makes a copy yield the TeX source.
// KaTeX is fetched only by pages that have maths.
"use strict";

(function () {
  const script = document.currentScript;
  const SOURCES = {
    js: script.dataset.katexJs,
    css: script.dataset.katexCss,
    copy: script.dataset.copyTex,
  };
  let loading = null;

  function addScript(src) {
    return new Promise(function (resolve, reject) {
      const element = document.createElement("script");
      element.src = src;
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function loadKatex() {
    if (window.katex) return Promise.resolve();
    if (!loading) {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = SOURCES.css;
      document.head.appendChild(css);
      loading = addScript(SOURCES.js).then(function () {
        return addScript(SOURCES.copy);
      });
    }
    return loading;
  }

  function typeset(root) {
    if (!root || !root.querySelectorAll) return;
    const formulas = Array.from(root.querySelectorAll(".math:not([data-tex])"));
    if (root.matches && root.matches(".math:not([data-tex])")) formulas.push(root);
    if (!formulas.length) return;
    // Claimed now, so a second call before KaTeX has loaded leaves them alone.
    formulas.forEach(function (element) {
      element.dataset.tex = element.textContent;
    });
    loadKatex().then(function () {
      formulas.forEach(function (element) {
        const tex = element.dataset.tex;
        element.title = tex;
        try {
          window.katex.render(tex, element, {
            displayMode: element.classList.contains("display"),
            throwOnError: true,
            trust: false,
            maxExpand: 500,
          });
        } catch (error) {
          // KaTeX's own error rendering writes a style attribute, which the CSP refuses:
          // leave the source as it was written, marked, with the reason on hover.
          element.textContent = tex;
          element.classList.add("math-error");
          element.title = String(error && error.message ? error.message : error);
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    typeset(document.body);
  });
  // htmx:load fires for every piece of content htmx swaps in (replies, previews).
  document.addEventListener("htmx:load", function (event) {
    typeset(event.target);
  });
})();
