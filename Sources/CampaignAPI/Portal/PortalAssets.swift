/// The portal's script, served by the daemon (no framework, no build step); the portal
/// shares the console's stylesheet. Every page works without it.
enum PortalAssets {
    static let files: [String: ConsoleAssets.Asset] = [
        "console.css": ConsoleAssets.Asset(contentType: "text/css; charset=utf-8", text: ConsoleAssets.css),
        "portal.js": ConsoleAssets.Asset(contentType: "text/javascript; charset=utf-8", text: script),
    ]

    /// The live unread count: long-polls the entity's feed after the newest row the page
    /// knew (`data-after` of the inbox link), with the same cursor the API gives
    /// (`/portal/notifications/poll` reads the feed as `GET /v1/notifications` does: no row
    /// missed or shown twice), and adds what arrives to the count in the header.
    static let script = """
        "use strict";
        (function () {
          var inbox = document.getElementById("inbox");
          var unread = document.getElementById("unread");
          if (!inbox || !unread) { return; }
          var after = inbox.getAttribute("data-after") || "0";
          var count = parseInt((unread.textContent.match(/[0-9]+/) || ["0"])[0], 10);
          function show() { unread.textContent = count > 0 ? "(" + count + " unread)" : ""; }
          function poll() {
            fetch("/portal/notifications/poll?wait=30&after=" + encodeURIComponent(after),
                  { credentials: "same-origin", headers: { "Accept": "application/json" } })
              .then(function (answer) { return answer.ok ? answer.json() : null; })
              .then(function (body) {
                if (!body) { window.setTimeout(poll, 5000); return; }
                count += body.items.length;
                after = body.next_cursor;
                show();
                window.setTimeout(poll, 0);
              })
              .catch(function () { window.setTimeout(poll, 5000); });
          }
          window.setTimeout(poll, 0);
        })();
        """
}
