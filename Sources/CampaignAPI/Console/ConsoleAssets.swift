/// The console's stylesheet and script, served from the daemon itself (no CDN, no build
/// step). The script only improves: every page works without it.
enum ConsoleAssets {
    struct Asset {
        let contentType: String
        let text: String
    }

    static let files: [String: Asset] = [
        "console.css": Asset(contentType: "text/css; charset=utf-8", text: css),
        "console.js": Asset(contentType: "text/javascript; charset=utf-8", text: script),
    ]

    static let css = """
        :root { color-scheme: light; --ink: #1b1f24; --muted: #4d5560; --line: #c9ced6; --accent: #0b57d0; --bad: #a4161a; }
        body { font: 16px/1.5 system-ui, sans-serif; color: var(--ink); margin: 0; }
        header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.5rem; border-bottom: 1px solid var(--line); }
        header .brand { font-weight: 700; text-decoration: none; color: var(--ink); }
        header .signout { margin-left: auto; display: flex; gap: .6rem; align-items: center; }
        main { padding: 1rem 1.5rem 3rem; max-width: 72rem; }
        a { color: var(--accent); }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
        th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); }
        caption { text-align: left; color: var(--muted); }
        .filters a { margin-right: .8rem; }
        .filters a[aria-current] { font-weight: 700; text-decoration: none; color: var(--ink); }
        .summary { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        .summary dt { color: var(--muted); }
        .summary dd { margin: 0; }
        form.inline { display: inline-block; margin-right: .5rem; }
        .error { color: var(--bad); display: block; }
        .help { color: var(--muted); display: block; font-size: .9rem; }
        .notice, .job { background: #eef3fc; padding: .5rem .8rem; border-left: 4px solid var(--accent); }
        textarea { width: min(40rem, 100%); }
        label { margin-right: .4rem; }
        button { font: inherit; padding: .3rem .9rem; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        nav a { margin-right: .8rem; }
        fieldset.plain { border: 0; padding: 0; margin: 0; }
        """

    /// Live job progress: while a dashboard shows a pending job, ask its status every
    /// second and reload the page once the job is done.
    static let script = """
        "use strict";
        (function () {
          var job = document.getElementById("job");
          if (!job) { return; }
          var url = window.location.pathname.replace(/\\/$/, "") + "/job";
          function poll() {
            fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
              .then(function (answer) { return answer.ok ? answer.json() : null; })
              .then(function (body) {
                if (body && body.status === "none") { window.location.reload(); return; }
                if (body && body.status) { job.textContent = "The job is " + body.status + "…"; }
                window.setTimeout(poll, 1000);
              })
              .catch(function () { window.setTimeout(poll, 3000); });
          }
          window.setTimeout(poll, 1000);
        })();
        """
}
