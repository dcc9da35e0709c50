// Map panel helpers: mark the posts the analysis points at, highlight cited posts.
"use strict";
(function () {
  function markPosts() {
    var panel = document.getElementById("analysis-panel");
    if (!panel) return;
    document.querySelectorAll(".analysis-marker").forEach(function (el) { el.remove(); });
    var markers = {};
    try { markers = JSON.parse(panel.dataset.markers || "{}"); } catch (e) { return; }
    Object.keys(markers).forEach(function (postId) {
      var post = document.getElementById("post-" + postId);
      if (!post) return;
      var anchor = post.querySelector("header, .post-meta") || post;
      markers[postId].forEach(function (label) {
        var badge = document.createElement("span");
        badge.className = "analysis-marker marker-" + label.replace(/\s+/g, "-");
        badge.textContent = label;
        anchor.appendChild(badge);
      });
    });
  }

  function highlight(postId) {
    var post = document.getElementById("post-" + postId);
    if (!post) return;
    post.classList.add("cited-highlight");
    window.setTimeout(function () { post.classList.remove("cited-highlight"); }, 2500);
  }

  // The argument map's boxes carry only the first words of a post: show the whole
  // excerpt under the map while a box is pointed at or has keyboard focus.
  function showNode(event) {
    var node = event.target.closest && event.target.closest(".map-node");
    if (!node) return;
    var figure = node.closest(".argument-map");
    var detail = figure && figure.querySelector(".map-node-detail");
    if (detail) detail.textContent = node.getAttribute("data-full") || "";
  }
  document.addEventListener("mouseover", showNode);
  document.addEventListener("focusin", showNode);
  document.addEventListener("keydown", function (event) {
    var node = event.target.closest && event.target.closest(".map-node");
    if (node && event.key === "Enter" && node.getAttribute("data-cite")) {
      highlight(node.getAttribute("data-cite"));
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-cite]");
    if (link) highlight(link.getAttribute("data-cite"));
  });
  // A successful post or vote changes what the map is computed from: ask the panel
  // to refresh (it then polls until the new analysis has landed).
  document.addEventListener("htmx:afterRequest", function (event) {
    var config = event.detail.requestConfig || {};
    var panel = document.getElementById("analysis-panel");
    if (panel && event.detail.successful && config.verb === "post" && window.htmx) {
      window.setTimeout(function () { window.htmx.trigger(panel, "crux-changed"); }, 300);
    }
  });
  document.addEventListener("DOMContentLoaded", markPosts);
  document.addEventListener("htmx:afterSettle", markPosts);
  if (document.readyState !== "loading") markPosts();
})();
