// Stated stances on the thread page and in the rating queue. The forms work without
// this file; with it:
// - the credence slider is shown and kept in step with the number field (the field is
//   what the form sends);
// - a reaction anchors to the words selected in that post, if any: they are put in the
//   form's hidden `quote` field, and the server checks they occur in the post.
(function () {
  function wire(root) {
    // htmx:load fires on each swapped-in element, which may be the form itself.
    var forms = Array.prototype.slice.call(root.querySelectorAll(".credence-form"));
    if (root.matches && root.matches(".credence-form")) forms.push(root);
    forms.forEach(function (form) {
      var slider = form.querySelector(".credence-slider");
      var number = form.querySelector(".credence-number");
      if (!slider || !number || slider.dataset.wired) return;
      slider.dataset.wired = "1";
      slider.hidden = false;
      slider.addEventListener("input", function () { number.value = slider.value; });
      number.addEventListener("input", function () {
        var v = parseInt(number.value, 10);
        if (v >= 1 && v <= 99) slider.value = v;
      });
    });
  }

  function selectedWordsIn(post) {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !post) return "";
    var body = post.querySelector(".post-body");
    if (!body || !body.contains(selection.anchorNode) || !body.contains(selection.focusNode)) {
      return "";
    }
    return selection.toString().replace(/\s+/g, " ").trim();
  }

  // mousedown, not click: pressing the button would clear the selection first.
  document.addEventListener("mousedown", function (event) {
    var button = event.target.closest && event.target.closest(".reaction-form button");
    if (!button) return;
    var form = button.closest(".reaction-form");
    var field = form.querySelector(".reaction-quote");
    if (field) field.value = selectedWordsIn(form.closest(".post-main"));
  });

  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:load", function (event) { wire(event.target); });
})();
