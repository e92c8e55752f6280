import Mustache

/// The local portal's pages (see ``ConsoleTemplates`` for the conventions: `{{…}}`
/// escapes, every page is the layout around its part, every form carries the CSRF token).
enum PortalTemplates {
    static let library: Result<MustacheLibrary, any Error> = Result {
        var library = MustacheLibrary()
        for (name, text) in all { try library.register(text, named: name) }
        return library
    }

    static let all: [(String, String)] = [
        ("layout", layout), ("login", PageTemplates.login), ("catalog", catalog), ("package", package), ("orders", orders),
        ("order", order), ("notifications", notifications), ("message", PageTemplates.message),
        ("formFields", formFields), ("orderFields", orderFields),
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} — campaignd portal</title>
        <link rel="stylesheet" href="/portal/assets/console.css">
        <script src="/portal/assets/portal.js" defer></script>
        </head>
        <body>
        <header>
        <a class="brand" href="/portal/catalog">campaignd portal</a>
        {{#operator}}
        <nav aria-label="Main">
        <a href="/portal/catalog">Catalogue</a>
        <a href="/portal/orders">My orders</a>
        <a href="/portal/notifications" id="inbox" data-after="{{after}}">Notifications <span id="unread">{{unread}}</span></a>
        </nav>
        <form class="signout" method="post" action="/portal/logout">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <span>{{name}} ({{entity}})</span>
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

    static let catalog = """
        {{<layout}}{{$body}}
        <table>
        <caption>{{caption}}</caption>
        <thead><tr><th scope="col">Package</th><th scope="col">Type</th><th scope="col">Available from</th><th scope="col">Order deadline</th><th scope="col">Visible until</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td><a href="/portal/packages/{{id}}">{{label}}</a></td><td>{{type}}</td><td>{{available}}</td><td>{{deadline}}</td><td>{{until}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="5">Nothing is offered to you now.</td></tr>{{/rows}}
        </tbody>
        </table>
        {{#next}}<p><a href="{{.}}" rel="next">Next page</a></p>{{/next}}
        {{/body}}{{/layout}}
        """

    /// One field of an order form, as the package page and the order page show it.
    static let formFields = """
        {{#fields}}
        <p>
        {{^boolean}}<label for="{{id}}">{{label}}{{#required}} <span class="required">(required)</span>{{/required}}</label>{{/boolean}}
        {{#text}}<input id="{{id}}" name="{{id}}" value="{{value}}"{{#required}} required{{/required}}{{#maxLength}} maxlength="{{.}}"{{/maxLength}}{{#error}} aria-invalid="true" aria-describedby="{{id}}-error"{{/error}}>{{/text}}
        {{#number}}<input id="{{id}}" name="{{id}}" type="number" step="any" inputmode="decimal" value="{{value}}"{{#required}} required{{/required}}{{#min}} min="{{.}}"{{/min}}{{#max}} max="{{.}}"{{/max}}{{#error}} aria-invalid="true" aria-describedby="{{id}}-error"{{/error}}>{{/number}}
        {{#date}}<input id="{{id}}" name="{{id}}" type="date" value="{{value}}"{{#required}} required{{/required}}{{#min}} min="{{.}}"{{/min}}{{#max}} max="{{.}}"{{/max}}{{#error}} aria-invalid="true" aria-describedby="{{id}}-error"{{/error}}>{{/date}}
        {{#choice}}<select id="{{id}}" name="{{id}}"{{#required}} required{{/required}}{{#error}} aria-invalid="true" aria-describedby="{{id}}-error"{{/error}}><option value="">Choose…</option>{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/options}}</select>{{/choice}}
        {{#boolean}}<label><input id="{{id}}" name="{{id}}" type="checkbox" value="true"{{#checked}} checked{{/checked}}{{#error}} aria-invalid="true" aria-describedby="{{id}}-error"{{/error}}> {{label}}{{#required}} <span class="required">(required)</span>{{/required}}</label>{{/boolean}}
        {{#error}}<span id="{{id}}-error" class="error" role="alert">{{.}}</span>{{/error}}
        </p>
        {{/fields}}
        """

    /// What an order asks: its name, the package's order form, a comment.
    static let orderFields = """
        <p><label for="label">Your order's name <span class="required">(required)</span></label>
        <input id="label" name="label" value="{{orderLabel}}" required{{#labelError}} aria-invalid="true" aria-describedby="label-error"{{/labelError}}>
        {{#labelError}}<span id="label-error" class="error" role="alert">{{.}}</span>{{/labelError}}</p>
        {{> formFields}}
        <p><label for="comment">Comment</label>
        <textarea id="comment" name="comment" rows="2">{{comment}}</textarea></p>
        """

    static let package = """
        {{<layout}}{{$body}}
        <dl class="summary">
        <dt>Type</dt><dd>{{type}}</dd>
        {{#description}}<dt>Description</dt><dd>{{.}}</dd>{{/description}}
        {{#dates}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/dates}}
        </dl>
        {{#ordered}}<p class="notice">You have ordered this package: <a href="/portal/orders/{{.}}">see your order</a>.</p>{{/ordered}}
        {{#canOrder}}
        <h2 id="order">Order</h2>
        {{#hasErrors}}<p class="error" role="alert" id="form-errors">The order was not placed: correct the fields marked below.{{#otherErrors}} {{.}}{{/otherErrors}}</p>{{/hasErrors}}
        <form method="post" action="/portal/packages/{{id}}" class="order-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        {{> orderFields}}
        <p><button type="submit">Order</button></p>
        </form>
        {{/canOrder}}
        {{#closed}}<p>{{.}}</p>{{/closed}}
        {{/body}}{{/layout}}
        """

    static let orders = """
        {{<layout}}{{$body}}
        <table>
        <caption>{{caption}}</caption>
        <thead><tr><th scope="col">Order</th><th scope="col">Package</th><th scope="col">Status</th><th scope="col">Placed</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td><a href="/portal/orders/{{id}}">{{label}}</a></td><td><a href="/portal/packages/{{packageID}}">Package {{packageID}}</a></td><td>{{status}}</td><td>{{created}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="4">You have no order yet.</td></tr>{{/rows}}
        </tbody>
        </table>
        {{#next}}<p><a href="{{.}}" rel="next">Next page</a></p>{{/next}}
        {{/body}}{{/layout}}
        """

    static let order = """
        {{<layout}}{{$body}}
        <dl class="summary">
        <dt>Package</dt><dd><a href="/portal/packages/{{packageID}}">Package {{packageID}}</a></dd>
        <dt>Status</dt><dd id="status">{{status}}</dd>
        <dt>Placed</dt><dd>{{created}} by {{createdBy}}</dd>
        {{#decided}}<dt>Decided</dt><dd>{{.}}</dd>{{/decided}}
        {{#cancelled}}<dt>Cancelled</dt><dd>{{.}}</dd>{{/cancelled}}
        </dl>
        {{#canEdit}}
        <h2 id="edit">Edit</h2>
        {{#hasErrors}}<p class="error" role="alert" id="form-errors">The order was not saved: correct the fields marked below.{{#otherErrors}} {{.}}{{/otherErrors}}</p>{{/hasErrors}}
        <form method="post" action="/portal/orders/{{id}}/edit" class="order-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        {{> orderFields}}
        <p><button type="submit">Save</button></p>
        </form>
        {{/canEdit}}
        {{^canEdit}}
        <h2 id="entered">What you entered</h2>
        <dl class="summary">{{#entered}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/entered}}</dl>
        {{/canEdit}}
        {{#canCancel}}
        <h2 id="cancel-order">Cancel the order</h2>
        <form method="post" action="/portal/orders/{{id}}/cancel">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <p><label for="cancel-comment">Comment</label>
        <textarea id="cancel-comment" name="comment" rows="2" aria-describedby="cancel-help"></textarea>
        <span id="cancel-help" class="help">Why you cancel it: the head office reads it.</span></p>
        <p><button type="submit">Cancel the order</button></p>
        </form>
        {{/canCancel}}
        {{/body}}{{/layout}}
        """

    static let notifications = """
        {{<layout}}{{$body}}
        <ol class="inbox" id="notifications">
        {{#rows}}<li{{#unread}} class="unread"{{/unread}}><time datetime="{{at}}">{{at}}</time> {{#unread}}<strong>New:</strong> {{/unread}}{{text}}
        {{#orderID}}<a href="/portal/orders/{{.}}">your order {{.}}</a>{{/orderID}}{{^orderID}}{{#packageID}}<a href="/portal/packages/{{.}}">package {{.}}</a>{{/packageID}}{{/orderID}}{{#comment}} — {{.}}{{/comment}}</li>{{/rows}}
        {{^rows}}<li>Nothing has happened to you yet.</li>{{/rows}}
        </ol>
        {{/body}}{{/layout}}
        """

}
