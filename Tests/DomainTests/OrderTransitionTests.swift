import Domain
import Testing

/// What an order transition should do for one role.
enum ExpectedOrderOutcome: Sendable, Equatable {
    case to(OrderStatus)
    /// Nobody may take this action from this status.
    case refusedForStatus
    /// Someone may, but not this role.
    case refusedForRole
}

/// One row of the expected order transition table, with the outcome for each role.
struct OrderTransitionRow: Sendable, CustomTestStringConvertible {
    let from: OrderStatus
    let action: OrderAction
    let central: ExpectedOrderOutcome
    let local: ExpectedOrderOutcome

    init(_ from: OrderStatus, _ action: OrderAction, central: ExpectedOrderOutcome, local: ExpectedOrderOutcome) {
        self.from = from
        self.action = action
        self.central = central
        self.local = local
    }

    func expected(for role: ActorRole) -> ExpectedOrderOutcome {
        switch role {
        case .central: central
        case .local: local
        }
    }

    var testDescription: String { "\(from.rawValue) + \(action.rawValue)" }
}

/// Every status × action × role, written out by hand from SPEC.md "Campaign orders".
let expectedOrderTransitions: [OrderTransitionRow] = [
    .init(.pendingApproval, .edit, central: .to(.pendingApproval), local: .to(.pendingApproval)),
    .init(.pendingApproval, .approve, central: .to(.approved), local: .refusedForRole),
    .init(.pendingApproval, .reject, central: .to(.rejected), local: .refusedForRole),
    .init(.pendingApproval, .cancel, central: .to(.cancelled), local: .to(.cancelled)),

    .init(.approved, .edit, central: .to(.approved), local: .refusedForRole),
    .init(.approved, .approve, central: .refusedForStatus, local: .refusedForStatus),
    .init(.approved, .reject, central: .refusedForStatus, local: .refusedForStatus),
    .init(.approved, .cancel, central: .to(.cancelled), local: .to(.cancelled)),

    .init(.rejected, .edit, central: .refusedForStatus, local: .refusedForStatus),
    .init(.rejected, .approve, central: .refusedForStatus, local: .refusedForStatus),
    .init(.rejected, .reject, central: .refusedForStatus, local: .refusedForStatus),
    .init(.rejected, .cancel, central: .to(.cancelled), local: .to(.cancelled)),

    .init(.cancelled, .edit, central: .refusedForStatus, local: .refusedForStatus),
    .init(.cancelled, .approve, central: .refusedForStatus, local: .refusedForStatus),
    .init(.cancelled, .reject, central: .refusedForStatus, local: .refusedForStatus),
    .init(.cancelled, .cancel, central: .refusedForStatus, local: .refusedForStatus),
]

@Suite struct OrderTransitionTests {
    @Test func tableCoversEveryStatusAndActionOnce() {
        let pairs = expectedOrderTransitions.map { "\($0.from.rawValue)/\($0.action.rawValue)" }
        #expect(pairs.count == OrderStatus.allCases.count * OrderAction.allCases.count)
        #expect(Set(pairs).count == pairs.count)
    }

    @Test(arguments: expectedOrderTransitions, ActorRole.allCases)
    func transition(row: OrderTransitionRow, role: ActorRole) {
        let result = row.from.applying(row.action, by: role)
        switch (result, row.expected(for: role)) {
        case let (.success(status), .to(expected)):
            #expect(status == expected)
        case let (.failure(refusal), .refusedForStatus):
            #expect(refusal.from == row.from.rawValue)
            #expect(refusal.action == row.action.rawValue)
            #expect(refusal.cause == .status)
        case let (.failure(refusal), .refusedForRole):
            #expect(refusal.from == row.from.rawValue)
            #expect(refusal.action == row.action.rawValue)
            #expect(refusal.cause == .role)
        case let (result, expected):
            Issue.record("expected \(expected), got \(result)")
        }
    }

    @Test(arguments: [
        (OrderStatus.pendingApproval, OrderAction.approve, ActorRole.local, "only the central entity can approve an order"),
        (.pendingApproval, .reject, .local, "only the central entity can reject an order"),
        (.approved, .edit, .local, "only the central entity can edit an approved order"),
        (.cancelled, .cancel, .central, "a cancelled order cannot be cancelled"),
        (.rejected, .edit, .local, "a rejected order cannot be edited"),
        (.approved, .approve, .central, "an approved order cannot be approved"),
        (.approved, .reject, .local, "an approved order cannot be rejected"),
    ])
    func refusalSaysWhetherStatusOrRole(from: OrderStatus, action: OrderAction, role: ActorRole, reason: String) throws {
        let refusal = try #require(from.applying(action, by: role).failure)
        #expect(refusal.reason == reason)
        #expect(refusal.description == reason)
    }

    @Test(arguments: [
        (ApprovalMode.manual, OrderStatus.pendingApproval),
        (.automatic, .approved),
    ])
    func initialStatus(mode: ApprovalMode, expected: OrderStatus) {
        #expect(OrderStatus.initial(for: mode) == expected)
    }
}

extension Result {
    /// The error of a failure, nil for a success.
    var failure: Failure? {
        if case let .failure(error) = self { error } else { nil }
    }
}
