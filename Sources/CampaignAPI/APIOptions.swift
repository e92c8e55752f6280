import Store

/// How the API behaves where the daemon's options decide.
public struct APIOptions: Sendable {
    /// Whether the operator who submitted a package may approve or reject it
    /// (`--allow-self-approval`; four eyes by default).
    public var allowSelfApproval: Bool
    /// How long an authenticated token is remembered (`--token-cache`); access changes
    /// empty the cache sooner on every daemon.
    public var tokenCacheLifetime: Duration
    /// Limits of wrong passwords.
    public var passwordLimits: PasswordCheck.Limits
    /// Whether the pages' cookies are `Secure` (`--cookie-secure`: the daemon is reached over TLS).
    public var cookieSecure: Bool
    /// How long a page session lasts unused (`--session-idle`).
    public var sessionIdle: Duration
    /// Whether webhooks may target loopback, link-local and private addresses (`--webhook-allow-private`).
    public var webhookAllowPrivate: Bool
    /// How long before a deadline its reminder goes out (`--reminder-lead`).
    public var reminderLead: Duration

    public init(
        allowSelfApproval: Bool = false, tokenCacheLifetime: Duration = .seconds(5),
        passwordLimits: PasswordCheck.Limits = PasswordCheck.Limits(), cookieSecure: Bool = false,
        sessionIdle: Duration = .seconds(8 * 3600), webhookAllowPrivate: Bool = false,
        reminderLead: Duration = .seconds(86_400)
    ) {
        self.reminderLead = reminderLead
        self.webhookAllowPrivate = webhookAllowPrivate
        self.cookieSecure = cookieSecure
        self.sessionIdle = sessionIdle
        self.allowSelfApproval = allowSelfApproval
        self.tokenCacheLifetime = tokenCacheLifetime
        self.passwordLimits = passwordLimits
    }
}
