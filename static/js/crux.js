// Crux's small client-side helpers. No build step; htmx does the requests.
// Everything here is an enhancement: without JavaScript every link and form still works.
"use strict";

(function () {
  // Controls that only work with JavaScript (collapse toggles) are shown from here on.
  document.documentElement.classList.add("js");

  // --- Collapse and expand a post with its replies -------------------------------------

  function toggleCollapse(toggle) {
    const post = toggle.closest("article.post");
    if (!post) return;
    const collapsed = post.classList.toggle("collapsed");
    toggle.setAttribute("aria-expanded", String(!collapsed));
    toggle.textContent = collapsed ? "[+]" : "[–]";
    toggle.title = collapsed ? "Expand this post and its replies" : "Collapse this post and its replies";
    const note = post.querySelector(":scope > .post-main .collapsed-note");
    if (note) {
      const hidden = post.querySelectorAll(":scope > .replies article.post").length;
      note.textContent = hidden ? `(${hidden} repl${hidden === 1 ? "y" : "ies"} hidden)` : "";
      note.hidden = !collapsed;
    }
  }

  // --- "Quote this": select words of a post, quote them in a reply ----------------------

  let lastQuote = null;

  function elementOf(node) {
    return node && node.nodeType === Node.ELEMENT_NODE ? node : node && node.parentElement;
  }

  function currentSelection() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
    const range = selection.getRangeAt(0);
    const start = elementOf(range.startContainer);
    const end = elementOf(range.endContainer);
    const body = start && start.closest(".post-body");
    if (!body || !end || end.closest(".post-body") !== body) return null;
    const text = selection.toString().replace(/\s+/g, " ").trim();
    const post = body.closest("article.post");
    if (!text || !post) return null;
    return { postId: post.dataset.postId, text: text };
  }

  function updateQuoteButtons() {
    const quote = currentSelection();
    document.querySelectorAll(".quote-button").forEach(function (button) {
      const show = Boolean(quote) && button.dataset.postId === quote.postId;
      button.hidden = !show;
    });
    if (quote) lastQuote = quote;
  }

  function quoteIntoReply(button) {
    if (!lastQuote || lastQuote.postId !== button.dataset.postId) return;
    const text = lastQuote.text;
    const slot = document.getElementById(`form-slot-${button.dataset.postId}`);
    const field = slot && slot.querySelector(".reply-form .quote-field");
    if (field) {
      field.value = text;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      suggestRole(field.form, text);
      const body = slot.querySelector(".body-field");
      if (body) body.focus();
    } else if (slot && window.htmx) {
      const url = `${button.dataset.replyUrl}?quote=${encodeURIComponent(text)}`;
      window.htmx.ajax("GET", url, { target: slot, swap: "innerHTML" });
    }
    button.hidden = true;
  }

  // --- Show a quoted span in the post it comes from ----------------------------------------

  // The range of `quote` inside `root`, comparing with runs of whitespace squashed (the
  // server stores quotes that way), or null when the words are not there as rendered.
  function findText(root, quote) {
    const needle = quote.replace(/\s+/g, " ").trim();
    if (!needle) return null;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let text = "";
    const positions = [];
    let afterSpace = true;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const value = node.nodeValue;
      for (let i = 0; i < value.length; i++) {
        const space = /\s/.test(value[i]);
        if (space && afterSpace) continue;
        text += space ? " " : value[i];
        positions.push([node, i]);
        afterSpace = space;
      }
    }
    const at = text.indexOf(needle);
    if (at < 0) return null;
    const [startNode, startOffset] = positions[at];
    const [endNode, endOffset] = positions[at + needle.length - 1];
    const range = document.createRange();
    range.setStart(startNode, startOffset);
    range.setEnd(endNode, endOffset + 1);
    return range;
  }

  function showQuote(link) {
    const parent = document.getElementById(`post-${link.dataset.parentId}`);
    if (!parent) return false; // not on this page: let the link go to it
    const body = parent.querySelector(":scope > .post-main .post-body");
    const range = body && findText(body, link.textContent);
    document.querySelectorAll(".quote-source").forEach(function (element) {
      element.classList.remove("quote-source");
    });
    parent.classList.add("quote-source");
    if (range && window.CSS && CSS.highlights && window.Highlight) {
      CSS.highlights.set("crux-quote", new Highlight(range));
    }
    (range ? elementOf(range.startContainer) : parent).scrollIntoView({ block: "center" });
    return true;
  }

  // --- Similar arguments: quote the post that already made the point ----------------------

  function quoteSimilarPost(button) {
    const form = button.closest("form");
    const body = form && form.querySelector("textarea[name=body]");
    if (!body) return;
    const quoted = `> ${button.dataset.excerpt}\n\n(as [said here](${button.dataset.url}))\n\n`;
    body.value = quoted + body.value;
    body.focus();
    body.setSelectionRange(body.value.length, body.value.length);
  }

  // A quoted question suggests an answer: preselect "answer" if no role is chosen yet.
  function suggestRole(form, quote) {
    if (!quote.trim().endsWith("?")) return;
    const radios = form.querySelectorAll("input[name=role]");
    if (!Array.from(radios).some((radio) => radio.checked)) {
      const answer = form.querySelector("input[name=role][value=answer]");
      if (answer) answer.checked = true;
    }
  }

  // --- Event wiring (delegated, so fragments swapped in by htmx work too) -----------------

  function dismissSlot(control, event) {
    const slot = document.getElementById(control.dataset.dismiss);
    if (slot) {
      event.preventDefault();
      slot.replaceChildren();
    }
  }

  // What a click on each kind of control does: the first kind, in this order, with a
  // control around the click's target handles it, and no other.
  const CLICKS = [
    [".collapse-toggle", toggleCollapse],
    [".quote-button", quoteIntoReply],
    [".quote-similar", quoteSimilarPost],
    [".quote-link", (link, event) => showQuote(link) && event.preventDefault()],
    ["[data-dismiss]", dismissSlot],
  ];

  document.addEventListener("click", function (event) {
    const target = event.target;
    if (!(target instanceof Element)) return;
    for (const [selector, handle] of CLICKS) {
      const control = target.closest(selector);
      if (control) {
        handle(control, event);
        return;
      }
    }
  });

  // After the click that may have ended a selection has been handled.
  document.addEventListener("mouseup", function () {
    window.setTimeout(updateQuoteButtons, 0);
  });
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey || event.key === "Shift") updateQuoteButtons();
  });

  // A request that failed (a server error, a refusal htmx does not swap, no network):
  // say so at the top of the page instead of silently doing nothing.
  function flash(text) {
    let list = document.querySelector("ul.messages");
    if (!list) {
      list = document.createElement("ul");
      list.className = "messages";
      const main = document.getElementById("main");
      main.parentNode.insertBefore(list, main);
    }
    const item = document.createElement("li");
    item.className = "message message-error";
    item.setAttribute("role", "alert");
    item.textContent = text;
    list.appendChild(item);
  }

  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    flash(
      status === 403
        ? "You are not allowed to do that."
        : `Something went wrong (error ${status}). Please reload the page and try again.`,
    );
  });
  document.addEventListener("htmx:sendError", function () {
    flash("Could not reach the server. Check your connection and try again.");
  });

  // A form opened under a post: put the cursor in its text.
  document.addEventListener("htmx:afterSwap", function (event) {
    const target = event.detail && event.detail.target;
    if (!target || !target.classList || !target.classList.contains("form-slot")) return;
    const field = target.querySelector(".body-field");
    if (field && !target.querySelector(".errorlist")) field.focus();
  });
})();
