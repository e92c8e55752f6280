@testable import CampaignAPI
import Testing

/// The console's templates, compiled into the binary, all parse and all render.
@Suite struct ConsoleTemplateTests {
    @Test func everyTemplateParsesAndRenders() throws {
        let library = try ConsoleTemplates.library.get()
        for (name, _) in ConsoleTemplates.all {
            #expect(library.getTemplate(named: name) != nil, "\(name)")
            #expect(library.render(["title": "T"], withTemplate: name)?.contains("<title>T — campaignd</title>") == true, "\(name)")
        }
    }
}
