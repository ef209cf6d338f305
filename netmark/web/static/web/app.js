// netmark: small behaviours for every page. No inline scripts (strict CSP): everything is here.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  ready(function () {
    // The sidebar on phones.
    var toggle = document.querySelector("[data-toggle-nav]");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var open = document.body.classList.toggle("nav-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }

    // A tap beside the open sidebar closes it.
    document.addEventListener("click", function (event) {
      if (document.body.classList.contains("nav-open") && !event.target.closest("#sidebar, [data-toggle-nav]")) {
        document.body.classList.remove("nav-open");
        if (toggle) {
          toggle.setAttribute("aria-expanded", "false");
        }
      }
    });

    // Flash messages can be dismissed.
    document.addEventListener("click", function (event) {
      var close = event.target.closest("[data-dismiss]");
      if (close && close.parentElement) {
        close.parentElement.remove();
      }
    });

    // Forms with data-confirm ask before they submit (removing members, revoking tokens, ...).
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
      }
    }, true);

    // Copy buttons: data-copy="<selector of the element whose text is copied>".
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-copy]");
      if (!button) {
        return;
      }
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) {
        return;
      }
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.classList.add("copied");
        button.setAttribute("aria-live", "polite");
      });
    });

    // Menus in the top bar close when something else is clicked or Escape is pressed.
    function closeMenus(except) {
      document.querySelectorAll("details.menu[open]").forEach(function (menu) {
        if (menu !== except) {
          menu.removeAttribute("open");
        }
      });
    }
    document.addEventListener("click", function (event) {
      closeMenus(event.target.closest("details.menu"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        closeMenus(null);
        document.body.classList.remove("nav-open");
      }
    });
  });
})();
