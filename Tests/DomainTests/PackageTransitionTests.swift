import Domain
import Testing

/// One row of the expected package transition table: `to == nil` means refused.
struct PackageTransitionRow: Sendable, CustomTestStringConvertible {
    let from: PackageStatus
    let action: PackageAction
    let to: PackageStatus?

    init(_ from: PackageStatus, _ action: PackageAction, _ to: PackageStatus?) {
        self.from = from
        self.action = action
        self.to = to
    }

    var testDescription: String { "\(from.rawValue) + \(action.rawValue) → \(to?.rawValue ?? "refused")" }
}

/// Every status × action, written out by hand from SPEC.md "Campaign packages", for a
/// package with an audience. The audience rule has its own table below.
let expectedPackageTransitions: [PackageTransitionRow] = [
    .init(.beingEdited, .edit, .beingEdited),
    .init(.beingEdited, .submit, .pendingApproval),
    .init(.beingEdited, .approve, nil),
    .init(.beingEdited, .reject, nil),
    .init(.beingEdited, .publish, nil),
    .init(.beingEdited, .cancel, .cancelled),
    .init(.beingEdited, .reinitialize, nil),

    .init(.pendingApproval, .edit, nil),
    .init(.pendingApproval, .submit, nil),
    .init(.pendingApproval, .approve, .approved),
    .init(.pendingApproval, .reject, .rejected),
    .init(.pendingApproval, .publish, nil),
    .init(.pendingApproval, .cancel, .cancelled),
    .init(.pendingApproval, .reinitialize, nil),

    .init(.approved, .edit, nil),
    .init(.approved, .submit, nil),
    .init(.approved, .approve, nil),
    .init(.approved, .reject, nil),
    .init(.approved, .publish, .published),
    .init(.approved, .cancel, .cancelled),
    .init(.approved, .reinitialize, nil),

    .init(.rejected, .edit, .beingEdited),
    .init(.rejected, .submit, nil),
    .init(.rejected, .approve, nil),
    .init(.rejected, .reject, nil),
    .init(.rejected, .publish, nil),
    .init(.rejected, .cancel, .cancelled),
    .init(.rejected, .reinitialize, nil),

    .init(.published, .edit, nil),
    .init(.published, .submit, nil),
    .init(.published, .approve, nil),
    .init(.published, .reject, nil),
    .init(.published, .publish, nil),
    .init(.published, .cancel, .cancelled),
    .init(.published, .reinitialize, .beingEdited),

    .init(.cancelled, .edit, nil),
    .init(.cancelled, .submit, nil),
    .init(.cancelled, .approve, nil),
    .init(.cancelled, .reject, nil),
    .init(.cancelled, .publish, nil),
    .init(.cancelled, .cancel, nil),
    .init(.cancelled, .reinitialize, .beingEdited),
]

/// The only (status, action, type) refused for want of an audience.
let audienceRefusals: [(PackageStatus, PackageAction, PackageType)] = [
    (.beingEdited, .submit, .collaborative),
]

@Suite struct PackageTransitionTests {
    @Test func tableCoversEveryStatusAndActionOnce() {
        let pairs = expectedPackageTransitions.map { "\($0.from.rawValue)/\($0.action.rawValue)" }
        #expect(pairs.count == PackageStatus.allCases.count * PackageAction.allCases.count)
        #expect(Set(pairs).count == pairs.count)
    }

    @Test(arguments: expectedPackageTransitions, PackageType.allCases)
    func withAudience(row: PackageTransitionRow, type: PackageType) {
        expect(row.from.applying(row.action, type: type, hasAudience: true), matches: row)
    }

    @Test(arguments: expectedPackageTransitions, PackageType.allCases)
    func withoutAudience(row: PackageTransitionRow, type: PackageType) {
        let result = row.from.applying(row.action, type: type, hasAudience: false)
        if audienceRefusals.contains(where: { $0 == (row.from, row.action, type) }) {
            #expect(result == .failure(TransitionRefusal(
                from: "being_edited",
                action: "submit",
                reason: "a collaborative package needs an audience before it is submitted",
                cause: .missingAudience)))
        } else {
            expect(result, matches: row)
        }
    }

    @Test(arguments: [
        (PackageStatus.published, PackageAction.submit, "a published package cannot be submitted"),
        (.cancelled, .cancel, "a cancelled package cannot be cancelled"),
        (.beingEdited, .publish, "a package being edited cannot be published"),
        (.pendingApproval, .edit, "a package pending approval cannot be edited"),
        (.approved, .reinitialize, "an approved package cannot be reinitialized"),
        (.rejected, .approve, "a rejected package cannot be approved"),
    ])
    func refusalSaysWhatIsWrong(from: PackageStatus, action: PackageAction, reason: String) {
        let result = from.applying(action, type: .local, hasAudience: true)
        #expect(result == .failure(TransitionRefusal(from: from.rawValue, action: action.rawValue, reason: reason)))
        #expect("\(TransitionRefusal(from: from.rawValue, action: action.rawValue, reason: reason))" == reason)
    }

    @Test(arguments: [
        (PackageAction.edit, [PackageStatus.beingEdited, .rejected]),
        (.submit, [.beingEdited]),
        (.approve, [.pendingApproval]),
        (.reject, [.pendingApproval]),
        (.publish, [.approved]),
        (.cancel, [.beingEdited, .pendingApproval, .approved, .rejected, .published]),
        (.reinitialize, [.published, .cancelled]),
    ])
    func sources(action: PackageAction, expected: [PackageStatus]) {
        #expect(PackageStatus.sources(of: action) == expected)
    }

    private func expect(
        _ result: Result<PackageStatus, TransitionRefusal>, matches row: PackageTransitionRow,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        switch (result, row.to) {
        case let (.success(status), expected?):
            #expect(status == expected, sourceLocation: sourceLocation)
        case let (.failure(refusal), nil):
            #expect(refusal.from == row.from.rawValue, sourceLocation: sourceLocation)
            #expect(refusal.action == row.action.rawValue, sourceLocation: sourceLocation)
            #expect(refusal.cause == .status, sourceLocation: sourceLocation)
            #expect(refusal.reason.contains(" cannot be "), sourceLocation: sourceLocation)
        case let (.success(status), nil):
            Issue.record("expected a refusal, got \(status.rawValue)", sourceLocation: sourceLocation)
        case let (.failure(refusal), expected?):
            Issue.record("expected \(expected.rawValue), got refusal: \(refusal)", sourceLocation: sourceLocation)
        }
    }
}
