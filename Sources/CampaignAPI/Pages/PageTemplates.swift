/// The templates the console and the portal share (each registers them in its library,
/// around its own `layout`).
enum PageTemplates {
    /// The sign-in form; `signInPath` is the surface's.
    static let login = """
        {{<layout}}{{$body}}
        <form method="post" action="{{signInPath}}" class="login">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="next" value="{{next}}">
        {{#error}}<p class="error" role="alert" id="login-error">{{.}}</p>{{/error}}
        <p><label for="name">Operator name</label>
        <input id="name" name="name" autocomplete="username" required value="{{name}}"></p>
        <p><label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required></p>
        <p><button type="submit">Sign in</button></p>
        </form>
        {{/body}}{{/layout}}
        """

    /// A page that says one thing, with a way back.
    static let message = """
        {{<layout}}{{$body}}
        <p>{{text}}</p>
        {{#back}}<p><a href="{{.}}">Back</a></p>{{/back}}
        {{/body}}{{/layout}}
        """
}
