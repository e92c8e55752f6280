@testable import CampaignAPI
import Mustache
import Testing

/// The console's and the portal's templates, compiled into the binary, all parse and all render.
@Suite struct ConsoleTemplateTests {
    @Test(arguments: [
        ("console", ConsoleTemplates.library, ConsoleTemplates.all.map(\.0), "campaignd"),
        ("portal", PortalTemplates.library, PortalTemplates.all.map(\.0), "campaignd portal"),
    ])
    func everyTemplateParsesAndRenders(
        surface: String, library: Result<MustacheLibrary, any Error>, names: [String], brand: String
    ) throws {
        let library = try library.get()
        // Partials render inside the pages that include them, not on their own.
        for name in names where name != "formFields" && name != "orderFields" {
            #expect(library.getTemplate(named: name) != nil, "\(surface) \(name)")
            #expect(library.render(["title": "T"], withTemplate: name)?.contains("<title>T — \(brand)</title>") == true, "\(surface) \(name)")
        }
    }
}
