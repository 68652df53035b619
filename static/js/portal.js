/* Feedback for htmx: a toast region that screen readers hear, short
   announcements after swaps, and a word when a request fails.

   - A server answer can carry `HX-Trigger: {"showToast": {"message": "…",
     "level": "success"}}` (django-htmx's trigger_client_event); pages can
     dispatch the same `showToast` event themselves.
   - After a swap, the text of `[data-announce]` elements in the new content
     is announced once: results counts, a period, an import's state. The live
     region stays in the page, so the words are read even though the swapped
     fragment replaced its own element. */
(function () {
    "use strict";

    var SHOW_FOR_MS = 5000;
    var lastAnnounced = {};

    function region() {
        return document.getElementById("toasts");
    }

    function toast(message, level, options) {
        var box = region();
        if (!box || !message) { return; }
        var item = document.createElement("p");
        item.className = "toast toast--" + (level || "info") + (options && options.quiet ? " visually-hidden" : "");
        item.textContent = message;
        box.appendChild(item);
        while (box.children.length > 3) { box.removeChild(box.firstElementChild); }
        setTimeout(function () { item.remove(); }, SHOW_FOR_MS);
    }

    window.portalToast = toast;

    document.addEventListener("showToast", function (event) {
        var detail = event.detail || {};
        toast(detail.message || detail.value, detail.level);
    });

    document.addEventListener("htmx:afterSettle", function (event) {
        var target = event.detail && event.detail.target;
        var root = target;
        if (root && !root.isConnected) { root = root.id ? document.getElementById(root.id) : null; }
        root = root || document;
        var key = (target && target.id) || "page";
        var parts = [];
        root.querySelectorAll("[data-announce]").forEach(function (node) {
            var text = node.textContent.replace(/\s+/g, " ").trim();
            if (text) { parts.push(text); }
        });
        var message = parts.join(". ");
        if (message && message !== lastAnnounced[key]) {
            lastAnnounced[key] = message;
            toast(message, "info", {quiet: true});
        }
    });

    function failed() {
        toast("That did not go through. Check your connection and try again.", "error");
    }

    document.addEventListener("htmx:responseError", failed);
    document.addEventListener("htmx:sendError", failed);
})();

/* Small page actions without inline handlers (the Content Security Policy
   allows no inline script): copy a field's text, print the page. */
(function () {
    "use strict";

    document.addEventListener("click", function (event) {
        var copy = event.target.closest("[data-copy]");
        if (copy) {
            var field = document.getElementById(copy.dataset.copy);
            if (field && navigator.clipboard) {
                navigator.clipboard.writeText(field.value).then(function () {
                    copy.textContent = "Copied";
                }, function () {
                    field.select();
                });
            } else if (field) {
                field.select();
            }
        }
        if (event.target.closest("[data-print]")) {
            window.print();
        }
    });
})();

/* Self-refreshing lists ([data-refresh-when-visible]) skip their refresh
   while the tab is hidden: nobody is looking, and the server is spared. */
document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail && event.detail.elt;
    if (document.hidden && source && source.hasAttribute("data-refresh-when-visible")) {
        event.preventDefault();
    }
});
