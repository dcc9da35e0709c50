// Staying in the conversation: polling while the tab is visible, and marking the posts
// that are new since the reader's last visit. htmx does the requests; without
// JavaScript the inbox, the watch form and every link still work.
"use strict";

(function () {
  // --- Polling: elements with data-poll-seconds get a "crux:poll" event that often, but
  // only while the tab is visible (and once more as soon as it is visible again). ------

  const timers = new WeakMap();

  function poll(element) {
    if (document.visibilityState === "visible" && window.htmx) {
      window.htmx.trigger(element, "crux:poll");
    }
  }

  function startPolling(root) {
    root.querySelectorAll("[data-poll-seconds]").forEach(function (element) {
      const seconds = Number(element.dataset.pollSeconds);
      if (!seconds || timers.has(element)) return;
      timers.set(element, window.setInterval(function () { poll(element); }, seconds * 1000));
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") return;
    document.querySelectorAll("[data-poll-seconds]").forEach(poll);
  });

  // --- New since your last visit ---------------------------------------------------------

  // The server names the earliest post by others since the last visit; ids grow with
  // time, so every later post by someone else is new too (the page's times are whole
  // seconds, too coarse to compare).
  function markNewPosts(root) {
    const reading = document.getElementById("thread-reading");
    if (!reading || !reading.dataset.firstNew) return;
    const firstNew = Number(reading.dataset.firstNew);
    const me = reading.dataset.viewer;
    root.querySelectorAll("article.post").forEach(function (post) {
      const author = post.querySelector(":scope > .post-main .post-header .author");
      if (!author || author.textContent.trim() === me) return;
      if (Number(post.dataset.postId) >= firstNew) post.classList.add("post-new");
    });
    // Jump within the page when the first new post is on it (else its permalink).
    const jump = reading.querySelector(".new-jump");
    if (jump && document.getElementById(`post-${jump.dataset.postId}`)) {
      jump.setAttribute("href", `#post-${jump.dataset.postId}`);
    }
  }

  function start() {
    startPolling(document);
    markNewPosts(document);
    document.body.addEventListener("htmx:afterSettle", function (event) {
      markNewPosts(event.target);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
