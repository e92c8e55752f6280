import Mustache

/// The console's pages, as Mustache templates compiled into the binary (nothing to
/// install beside it). `{{…}}` escapes HTML; no template uses the unescaped forms.
/// Every page is the `layout` around its own part; forms carry the session's CSRF token.
enum ConsoleTemplates {
    /// The parsed templates, or why one does not parse (they are constants of this file:
    /// `ConsoleTemplateTests` parses them all, and a page answers 500 rather than crash).
    static let library: Result<MustacheLibrary, any Error> = Result {
        var library = MustacheLibrary()
        for (name, text) in all { try library.register(text, named: name) }
        return library
    }

    static let all: [(String, String)] = [
        ("layout", layout), ("login", PageTemplates.login), ("packages", packages), ("package", package),
        ("reinitialize", reinitialize), ("message", PageTemplates.message), ("packageForm", packageForm),
        ("orders", orders), ("order", order), ("jobs", jobs), ("operators", operators), ("entities", entities),
        ("tokens", tokens), ("job", job), ("events", events), ("webhooks", webhooks), ("webhook", webhook),
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} — campaignd</title>
        <link rel="stylesheet" href="/console/assets/console.css">
        <script src="/console/assets/console.js" defer></script>
        </head>
        <body>
        <header>
        <a class="brand" href="/console/packages">campaignd</a>
        {{#operator}}
        <nav aria-label="Main">
        <a href="/console/packages">Campaign packages</a>
        {{#mayCreate}}<a href="/console/packages/new">New package</a>{{/mayCreate}}
        <a href="/console/orders">Campaign orders</a>
        <a href="/console/jobs?status=failed">Failed jobs</a>
        <a href="/console/events">Events</a>
        <a href="/console/entities">Entities</a>
        <a href="/console/operators">Operators</a>
        {{#admin}}<a href="/console/tokens">Tokens</a> <a href="/console/webhooks">Webhooks</a>{{/admin}}
        </nav>
        <form class="signout" method="post" action="/console/logout">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <span>{{name}} ({{role}})</span>
        <button type="submit">Sign out</button>
        </form>
        {{/operator}}
        </header>
        <main>
        <h1>{{title}}</h1>
        {{#notice}}<p class="notice" role="status">{{.}}</p>{{/notice}}
        {{$body}}{{/body}}
        </main>
        </body>
        </html>
        """

    static let packages = """
        {{<layout}}{{$body}}
        <nav class="filters" aria-label="Status">
        {{#filters}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a> {{/filters}}
        </nav>
        <details class="filter-list"{{#filtered}} open{{/filtered}}>
        <summary>Filter list</summary>
        <form method="get" action="/console/packages">
        <fieldset><legend>Statuses</legend>
        {{#statuses}}<label><input type="checkbox" name="status" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label> {{/statuses}}
        </fieldset>
        <p><label for="type">Type</label>
        <select id="type" name="type">
        {{#types}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/types}}
        </select></p>
        <p><label for="q">Text</label> <input id="q" name="q" value="{{q}}"></p>
        <p><label><input type="checkbox" name="unavailable" value="true"{{#unavailable}} checked{{/unavailable}}> Unavailable</label></p>
        <p><button type="submit">Filter</button></p>
        </form>
        </details>
        <table>
        <caption>{{caption}}</caption>
        <thead><tr><th scope="col">Label</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Campaign name</th><th scope="col">Orders</th></tr></thead>
        <tbody>
        {{#rows}}
        <tr><td><a href="/console/packages/{{id}}">{{label}}</a></td><td>{{type}}</td><td>{{status}}{{#late}} (late){{/late}}{{#unavailable}} (unavailable){{/unavailable}}</td><td>{{campaign}}</td><td>{{counts}}</td></tr>
        {{/rows}}
        {{^rows}}<tr><td colspan="5">No package matches.</td></tr>{{/rows}}
        </tbody>
        </table>
        {{#next}}<p><a href="{{.}}" rel="next">Next page</a></p>{{/next}}
        <p><a href="{{csv}}" download>Export these packages (CSV)</a></p>
        {{/body}}{{/layout}}
        """

    static let package = """
        {{<layout}}{{$body}}
        <section aria-labelledby="summary">
        <h2 id="summary">Summary</h2>
        <dl class="summary">
        <dt>Label</dt><dd>{{label}}</dd>
        <dt>Campaign type</dt><dd>{{type}}</dd>
        <dt>Campaign name</dt><dd>{{campaign}}</dd>
        <dt>Campaign folder</dt><dd>{{folder}}</dd>
        <dt>Status</dt><dd id="status">{{status}}</dd>
        <dt>Revision</dt><dd>{{revision}}</dd>
        <dt>Audience</dt><dd id="audience">{{audience}}</dd>
        {{#dates}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/dates}}
        {{#lastAction}}<dt>Last {{action}}</dt><dd>{{at}} by {{by}}{{#comment}}: {{.}}{{/comment}}</dd>{{/lastAction}}
        </dl>
        </section>
        {{#job}}
        <p class="job" role="status" data-job="{{id}}" id="job">The {{kind}} job is {{status}}. This page shows the result once it is done.</p>
        {{/job}}
        <section aria-labelledby="actions">
        <h2 id="actions">Actions</h2>
        {{#transitions}}
        <form method="post" action="/console/packages/{{packageID}}/{{action}}" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">{{label}}</button>
        </form>
        {{/transitions}}
        {{#canEdit}}<p><a href="/console/packages/{{id}}/edit">Edit</a></p>{{/canEdit}}
        {{#canDuplicate}}
        <form method="post" action="/console/packages/{{id}}/duplicate" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Duplicate</button>
        </form>
        {{/canDuplicate}}
        {{#canReinitialize}}<p><a href="/console/packages/{{id}}/reinitialize">Reinitialize the package to reuse it</a></p>{{/canReinitialize}}
        {{#canCancel}}
        <form method="post" action="/console/packages/{{id}}/cancel" class="cancel">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <p><label for="comment">Comment</label>
        <textarea id="comment" name="comment" rows="3" required aria-describedby="comment-help{{#commentError}} comment-error{{/commentError}}"{{#commentError}} aria-invalid="true"{{/commentError}}>{{commentValue}}</textarea>
        <span id="comment-help" class="help">Why the package is cancelled: every concerned entity reads it.</span>
        {{#commentError}}<span id="comment-error" class="error" role="alert">Comment {{.}}</span>{{/commentError}}</p>
        <p><button type="submit">Cancel</button></p>
        </form>
        {{/canCancel}}
        {{^anyAction}}<p>No action is open to you on this package now.</p>{{/anyAction}}
        </section>
        <section aria-labelledby="orders">
        <h2 id="orders">Orders by local entity</h2>
        <table>
        <thead><tr><th scope="col">Local entity</th><th scope="col">Order</th><th scope="col">Status</th></tr></thead>
        <tbody>
        {{#orders}}<tr><td>{{entity}}</td><td><a href="/console/orders/{{id}}">Order {{id}}</a></td><td>{{status}}</td></tr>{{/orders}}
        {{^orders}}<tr><td colspan="3">No order of this revision.</td></tr>{{/orders}}
        </tbody>
        </table>
        <p>{{counts}}</p>
        </section>
        {{#participation}}
        <section aria-labelledby="participation">
        <h2 id="participation">Participation</h2>
        <nav class="filters" aria-label="Participation status">
        {{#filters}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a> {{/filters}}
        </nav>
        <table>
        <caption>Who was offered the package, and what each did</caption>
        <thead><tr><th scope="col">Local entity</th><th scope="col">Status</th><th scope="col">Order</th></tr></thead>
        <tbody>
        {{#lines}}<tr><td>{{entity}}</td><td>{{status}}</td><td>{{#orderID}}<a href="/console/orders/{{.}}">Order {{.}}</a>{{/orderID}}</td></tr>{{/lines}}
        {{^lines}}<tr><td colspan="3">Nobody here.</td></tr>{{/lines}}
        </tbody>
        </table>
        {{#more}}<p>The first {{shown}} lines are shown: the export has them all.</p>{{/more}}
        <p><a href="{{csv}}" download>Export the participation (CSV)</a></p>
        </section>
        {{/participation}}
        {{#reference}}
        <section aria-labelledby="reference">
        <h2 id="reference">Reference campaign</h2>
        <p>{{name}}: {{status}}</p>
        <ul>{{#processes}}<li>{{kind}} {{name}}: {{status}}</li>{{/processes}}{{^processes}}<li>No running process.</li>{{/processes}}</ul>
        </section>
        {{/reference}}
        <section aria-labelledby="journal">
        <h2 id="journal">Journal</h2>
        <ol class="journal">
        {{#journal}}<li><time datetime="{{at}}">{{at}}</time> {{actor}}: {{action}}{{#comment}} — {{.}}{{/comment}}</li>{{/journal}}
        </ol>
        <p><a href="/console/packages/{{id}}/journal.csv" download>Export the journal (CSV)</a></p>
        </section>
        {{/body}}{{/layout}}
        """

    static let reinitialize = """
        {{<layout}}{{$body}}
        <p>The package <strong>{{label}}</strong> ({{status}}) goes back to <em>Being edited</em> as a new
        revision: its current orders are cancelled and every concerned entity is told. It can then be
        edited, approved and published again.</p>
        <form method="post" action="/console/packages/{{id}}/reinitialize">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <p><label for="comment">Comment</label>
        <textarea id="comment" name="comment" rows="2" aria-describedby="comment-help"></textarea>
        <span id="comment-help" class="help">Optional: why it is reinitialized.</span></p>
        <p><button type="submit">OK</button> <a href="/console/packages/{{id}}">Back</a></p>
        </form>
        {{/body}}{{/layout}}
        """

    /// Create or edit a package: every field of the API, each problem next to its field.
    static let packageForm = """
        {{<layout}}{{$body}}
        {{#hasErrors}}<p class="error" role="alert" id="form-errors">The package was not saved: correct the fields marked below.</p>{{/hasErrors}}
        <form method="post" action="{{action}}" class="package-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        {{#fields}}
        <p>
        <label for="{{name}}">{{label}}</label>
        {{#text}}<input id="{{name}}" name="{{name}}" value="{{value}}"{{#required}} required{{/required}}{{#describedBy}} aria-describedby="{{.}}"{{/describedBy}}{{#error}} aria-invalid="true"{{/error}}>{{/text}}
        {{#area}}<textarea id="{{name}}" name="{{name}}" rows="3"{{#describedBy}} aria-describedby="{{.}}"{{/describedBy}}{{#error}} aria-invalid="true"{{/error}}>{{value}}</textarea>{{/area}}
        {{#choices}}<select id="{{name}}" name="{{name}}"{{#error}} aria-invalid="true"{{/error}}>{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/options}}</select>{{/choices}}
        {{#help}}<span id="{{name}}-help" class="help">{{.}}</span>{{/help}}
        {{#error}}<span id="{{name}}-error" class="error" role="alert">{{.}}</span>{{/error}}
        </p>
        {{/fields}}
        <p><button type="submit">Save</button> <a href="{{back}}">Back</a></p>
        </form>
        {{/body}}{{/layout}}
        """

    static let orders = """
        {{<layout}}{{$body}}
        <form method="get" action="/console/orders" class="filter-list">
        <p><label for="package">Package</label> <input id="package" name="package" inputmode="numeric" value="{{package}}">
        <label for="entity">Local entity</label> <input id="entity" name="entity" value="{{entity}}">
        <label for="status">Status</label>
        <select id="status" name="status">{{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}</select>
        <button type="submit">Filter</button></p>
        </form>
        {{#mayBulk}}<form method="post" action="/console/orders/bulk" class="bulk">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="back" value="{{back}}">
        <fieldset class="plain"><legend class="visually-hidden">Orders to act on</legend>{{/mayBulk}}
        <table>
        <caption>{{caption}}</caption>
        <thead><tr>{{#mayBulk}}<th scope="col"><span class="visually-hidden">Choose</span></th>{{/mayBulk}}<th scope="col">Order</th><th scope="col">Package</th><th scope="col">Local entity</th><th scope="col">Label</th><th scope="col">Status</th><th scope="col">Placed</th></tr></thead>
        <tbody>
        {{#rows}}<tr>{{#mayBulk}}<td><input type="checkbox" name="ids" value="{{id}}" aria-label="Choose order {{id}}"><input type="hidden" name="shown" value="{{id}}"></td>{{/mayBulk}}<td><a href="/console/orders/{{id}}">Order {{id}}</a></td><td><a href="/console/packages/{{packageID}}">{{packageID}}</a></td><td>{{entity}}</td><td>{{label}}</td><td>{{status}}</td><td>{{created}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="6">No order matches.</td></tr>{{/rows}}
        </tbody>
        </table>
        {{#mayBulk}}</fieldset>
        <h2 id="bulk">Bulk action</h2>
        <fieldset><legend>Which orders</legend>
        <label><input type="radio" name="scope" value="checked" checked> The orders chosen above</label>
        <label><input type="radio" name="scope" value="shown"> Every order shown</label>
        </fieldset>
        <p><label for="bulk-comment">Comment</label>
        <textarea id="bulk-comment" name="comment" rows="2" aria-describedby="bulk-help"></textarea>
        <span id="bulk-help" class="help">Each entity reads it with its notification. Orders whose status does not allow the action are skipped and listed.</span></p>
        <p><button type="submit" name="action" value="approve">Approve</button>
        <button type="submit" name="action" value="reject">Reject</button>
        <button type="submit" name="action" value="cancel">Cancel orders</button></p>
        </form>
        {{/mayBulk}}
        {{#next}}<p><a href="{{.}}" rel="next">Next page</a></p>{{/next}}
        <p><a href="{{csv}}" download>Export these orders (CSV)</a></p>
        {{/body}}{{/layout}}
        """

    static let order = """
        {{<layout}}{{$body}}
        <dl class="summary">
        <dt>Package</dt><dd><a href="/console/packages/{{packageID}}">{{packageID}}</a> (revision {{revision}})</dd>
        <dt>Local entity</dt><dd>{{entity}}</dd>
        <dt>Status</dt><dd id="status">{{status}}</dd>
        <dt>Placed</dt><dd>{{created}} by {{createdBy}}</dd>
        {{#decided}}<dt>Decided</dt><dd>{{.}}</dd>{{/decided}}
        {{#cancelled}}<dt>Cancelled</dt><dd>{{.}}</dd>{{/cancelled}}
        </dl>
        <h2 id="general">Edit &gt; General</h2>
        {{#canEdit}}
        <form method="post" action="/console/orders/{{id}}/edit">
        <input type="hidden" name="csrf" value="{{csrf}}">
        {{#hasErrors}}<p class="error" role="alert">The order was not saved: correct the fields marked below.</p>{{/hasErrors}}
        {{#fields}}
        <p><label for="{{name}}">{{label}}</label>
        <textarea id="{{name}}" name="{{name}}" rows="{{rows}}"{{#error}} aria-invalid="true" aria-describedby="{{name}}-error"{{/error}}>{{value}}</textarea>
        {{#error}}<span id="{{name}}-error" class="error" role="alert">{{.}}</span>{{/error}}</p>
        {{/fields}}
        <p><button type="submit">Save</button></p>
        </form>
        {{/canEdit}}
        {{^canEdit}}
        <dl class="summary">{{#fields}}<dt>{{label}}</dt><dd><pre>{{value}}</pre></dd>{{/fields}}</dl>
        {{/canEdit}}
        {{#decisions}}
        <h2 id="decide">Decide</h2>
        <form method="post" action="/console/orders/{{id}}/decide">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <p><label for="decision-comment">Comment</label>
        <textarea id="decision-comment" name="comment" rows="2"></textarea></p>
        <p>{{#buttons}}<button type="submit" name="action" value="{{action}}">{{label}}</button> {{/buttons}}</p>
        </form>
        {{/decisions}}
        {{/body}}{{/layout}}
        """

    static let jobs = """
        {{<layout}}{{$body}}
        <nav class="filters" aria-label="Job status">
        {{#filters}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a> {{/filters}}
        </nav>
        <table>
        <caption>{{caption}}</caption>
        <thead><tr><th scope="col">Job</th><th scope="col">Kind</th><th scope="col">Package</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{id}}</td><td>{{kind}}</td><td>{{#packageID}}<a href="/console/packages/{{.}}">{{.}}</a>{{/packageID}}</td><td>{{status}}</td><td>{{attempts}}</td><td>{{error}}</td>
        <td>{{#canRetry}}<form method="post" action="/console/jobs/{{id}}/retry"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" aria-label="Retry job {{id}}">Retry</button></form>{{/canRetry}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="7">No job.</td></tr>{{/rows}}
        </tbody>
        </table>
        {{/body}}{{/layout}}
        """

    static let operators = """
        {{<layout}}{{$body}}
        {{#mayChange}}
        <form method="post" action="/console/operators" class="filter-list">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <h2 id="new-operator">New operator</h2>
        {{#createError}}<p class="error" role="alert" id="create-error">{{.}}</p>{{/createError}}
        <p><label for="new-name">Name</label> <input id="new-name" name="name" required>
        <label for="new-role">Role</label>
        <select id="new-role" name="role">{{#roles}}<option value="{{.}}">{{.}}</option>{{/roles}}</select>
        <label for="new-entity">Entity (local operators)</label> <input id="new-entity" name="entity">
        <label for="new-display">Display name</label> <input id="new-display" name="display_name">
        <button type="submit">Create</button></p>
        </form>
        {{/mayChange}}
        <table>
        <caption>Operators</caption>
        <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Entity</th><th scope="col">Display name</th><th scope="col">Password</th><th scope="col">Status</th>{{#mayChange}}<th scope="col">Change</th>{{/mayChange}}</tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{name}}</td><td>{{role}}</td><td>{{entity}}</td><td>{{displayName}}</td><td>{{password}}</td><td>{{status}}</td>
        {{#mayChange}}<td>
        <form method="post" action="/console/operators/{{name}}" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        {{#central}}<label for="role-{{name}}">Role of {{name}}</label>
        <select id="role-{{name}}" name="role">{{#roleOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/roleOptions}}</select>{{/central}}
        <button type="submit" name="disabled" value="{{toggle}}">{{toggleLabel}}</button>
        {{#central}}<button type="submit" name="disabled" value="{{disabledValue}}">Save role</button>{{/central}}
        </form>
        <form method="post" action="/console/operators/{{name}}/password" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="password-{{name}}">New password for {{name}}</label>
        <input id="password-{{name}}" name="password" type="password" autocomplete="new-password" minlength="12">
        <button type="submit">Set password</button>
        </form>
        </td>{{/mayChange}}</tr>{{/rows}}
        </tbody>
        </table>
        {{/body}}{{/layout}}
        """

    static let entities = """
        {{<layout}}{{$body}}
        {{#token}}<p class="notice" role="status">The new token of {{entity}}, shown this once: <code id="new-token">{{value}}</code></p>{{/token}}
        {{#mayChange}}
        <form method="post" action="/console/entities" class="filter-list">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <h2 id="new-entity-title">New local entity</h2>
        {{#createError}}<p class="error" role="alert" id="create-error">{{.}}</p>{{/createError}}
        <p><label for="new-code">Code</label> <input id="new-code" name="code" required>
        <label for="new-label">Label</label> <input id="new-label" name="label" required>
        <button type="submit">Create</button></p>
        </form>
        {{/mayChange}}
        <table>
        <caption>Local entities</caption>
        <thead><tr><th scope="col">Code</th><th scope="col">Label</th><th scope="col">Tags</th><th scope="col">Status</th>{{#mayChange}}<th scope="col">Change</th>{{/mayChange}}</tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{code}}</td><td>{{label}}</td><td>{{tags}}</td><td>{{status}}</td>
        {{#mayChange}}<td>
        <form method="post" action="/console/entities/{{code}}" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="label-{{code}}">Label of {{code}}</label> <input id="label-{{code}}" name="label" value="{{label}}">
        <label for="tags-{{code}}">Tags of {{code}}</label> <input id="tags-{{code}}" name="tags" value="{{tags}}">
        <button type="submit" name="disabled" value="{{disabledValue}}">Save</button>
        <button type="submit" name="disabled" value="{{toggle}}">{{toggleLabel}}</button>
        </form>
        <form method="post" action="/console/entities/{{code}}/tokens" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" aria-label="Mint a token for {{code}}">Mint a token</button>
        </form>
        </td>{{/mayChange}}</tr>{{/rows}}
        </tbody>
        </table>
        {{#next}}<p><a href="{{.}}" rel="next">Next page</a></p>{{/next}}
        {{/body}}{{/layout}}
        """

    static let tokens = """
        {{<layout}}{{$body}}
        <table>
        <caption>Tokens (never their secrets)</caption>
        <thead><tr><th scope="col">Id</th><th scope="col">Owner</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Revoked</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{id}}</td><td>{{owner}}</td><td>{{created}}</td><td>{{used}}</td><td>{{revoked}}</td>
        <td>{{#live}}<form method="post" action="/console/tokens/{{id}}/revoke"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" aria-label="Revoke token {{id}}">Revoke</button></form>{{/live}}</td></tr>{{/rows}}
        </tbody>
        </table>
        {{#next}}<p><a href="{{.}}" rel="next">Next page</a></p>{{/next}}
        {{/body}}{{/layout}}
        """

    static let job = """
        {{<layout}}{{$body}}
        <dl class="summary">
        <dt>Status</dt><dd id="status">{{status}}</dd>
        <dt>Attempts</dt><dd>{{attempts}}</dd>
        {{#packageID}}<dt>Package</dt><dd><a href="/console/packages/{{.}}">{{.}}</a></dd>{{/packageID}}
        {{#error}}<dt>Last error</dt><dd>{{.}}</dd>{{/error}}
        </dl>
        {{#running}}<p class="job" role="status" id="job">The job is {{status}}. This page shows the result once it is done.</p>{{/running}}
        {{#result}}
        <h2 id="result">Result</h2>
        <p id="changed">{{changed}}</p>
        {{#skippedCount}}
        <table>
        <caption>{{.}} orders skipped</caption>
        <thead><tr><th scope="col">Order</th><th scope="col">Why</th></tr></thead>
        <tbody>
        {{#skipped}}<tr><td><a href="/console/orders/{{orderID}}">Order {{orderID}}</a></td><td>{{reason}}</td></tr>{{/skipped}}
        {{^skipped}}<tr><td colspan="2">None.</td></tr>{{/skipped}}
        </tbody>
        </table>
        {{/skippedCount}}
        {{/result}}
        <p><a href="/console/orders">Campaign orders</a></p>
        {{/body}}{{/layout}}
        """

    static let events = """
        {{<layout}}{{$body}}
        <details class="filter-list"{{#filtered}} open{{/filtered}}>
        <summary>Filter events</summary>
        <form method="get" action="/console/events">
        <fieldset><legend>Kinds</legend>
        {{#kinds}}<label><input type="checkbox" name="kind" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label> {{/kinds}}
        </fieldset>
        <p><button type="submit">Filter</button></p>
        </form>
        </details>
        <table>
        <caption>{{caption}}</caption>
        <thead><tr><th scope="col">Cursor</th><th scope="col">When</th><th scope="col">Kind</th><th scope="col">Package</th><th scope="col">Order</th><th scope="col">Entity</th><th scope="col">Operator</th><th scope="col">Comment</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{cursor}}</td><td>{{at}}</td><td>{{kind}}</td><td>{{#packageID}}<a href="/console/packages/{{.}}">{{.}}</a>{{/packageID}}</td><td>{{#orderID}}<a href="/console/orders/{{.}}">{{.}}</a>{{/orderID}}</td><td>{{entity}}</td><td>{{operator}}</td><td>{{comment}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="8">No event.</td></tr>{{/rows}}
        </tbody>
        </table>
        {{#next}}<p><a href="{{.}}" rel="next">Older events</a></p>{{/next}}
        {{/body}}{{/layout}}
        """

    static let webhooks = """
        {{<layout}}{{$body}}
        {{#secret}}<p class="notice" role="status">The signing secret of webhook {{id}}, shown this once: <code id="new-secret">{{value}}</code></p>{{/secret}}
        <form method="post" action="/console/webhooks" class="filter-list">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <h2 id="new-webhook">New endpoint for the central events</h2>
        {{#createError}}<p class="error" role="alert" id="create-error">{{.}}</p>{{/createError}}
        <p><label for="new-url">URL</label> <input id="new-url" name="url" type="url" required value="{{url}}"{{#urlError}} aria-invalid="true" aria-describedby="url-error"{{/urlError}}>
        {{#urlError}}<span class="error" id="url-error">{{.}}</span>{{/urlError}}</p>
        <fieldset{{#kindsError}} aria-describedby="kinds-error"{{/kindsError}}><legend>Kinds (none: every kind)</legend>
        {{#kinds}}<label><input type="checkbox" name="kinds" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label> {{/kinds}}
        {{#kindsError}}<span class="error" id="kinds-error">{{.}}</span>{{/kindsError}}
        </fieldset>
        <p><button type="submit">Register</button></p>
        </form>
        <table>
        <caption>Endpoints of the central events</caption>
        <thead><tr><th scope="col">Id</th><th scope="col">URL</th><th scope="col">Kinds</th><th scope="col">Created</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
        <tbody>
        {{#rows}}<tr><td><a href="/console/webhooks/{{id}}">{{id}}</a></td><td>{{url}}</td><td>{{kinds}}</td><td>{{created}} by {{createdBy}}</td><td>{{status}}</td>
        <td><form method="post" action="/console/webhooks/{{id}}/delete"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" aria-label="Delete webhook {{id}}">Delete</button></form></td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="6">No endpoint.</td></tr>{{/rows}}
        </tbody>
        </table>
        {{/body}}{{/layout}}
        """

    static let webhook = """
        {{<layout}}{{$body}}
        {{#webhook}}
        <dl class="summary">
        <dt>URL</dt><dd id="url">{{url}}</dd>
        <dt>Kinds</dt><dd>{{kinds}}</dd>
        <dt>Status</dt><dd id="status">{{status}}</dd>
        </dl>
        {{/webhook}}
        <table>
        <caption>Deliveries, newest first</caption>
        <thead><tr><th scope="col">Delivery</th><th scope="col">webhook-id</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last answer</th><th scope="col">Last error</th><th scope="col">Next attempt</th><th scope="col">Delivered</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
        <tbody>
        {{#rows}}<tr><td>{{id}}</td><td><code>{{eventID}}</code></td><td>{{kind}}</td><td>{{status}}</td><td>{{attempts}}</td><td>{{code}}</td><td>{{error}}</td><td>{{next}}</td><td>{{delivered}}</td>
        <td>{{#mayRedeliver}}<form method="post" action="/console/webhooks/{{webhookID}}/deliveries/{{id}}/redeliver"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" aria-label="Redeliver delivery {{id}}">Redeliver</button></form>{{/mayRedeliver}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="10">No delivery yet.</td></tr>{{/rows}}
        </tbody>
        </table>
        {{#next}}<p><a href="{{.}}" rel="next">Older deliveries</a></p>{{/next}}
        <p><a href="/console/webhooks">Webhooks</a></p>
        {{/body}}{{/layout}}
        """
}
