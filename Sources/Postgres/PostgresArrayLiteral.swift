/// Text format of one-dimensional PostgreSQL arrays: `{a,"b c",NULL}`.
enum PostgresArrayLiteral {
    static func format(_ elements: [String?]) -> String {
        var out = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { out += "," }
            guard let element else {
                out += "NULL"
                continue
            }
            out += "\""
            for character in element {
                if character == "\"" || character == "\\" { out += "\\" }
                out.append(character)
            }
            out += "\""
        }
        return out + "}"
    }

    /// Parses a one-dimensional array literal; `nil` when the text is not one.
    static func parse(_ text: String) -> [String?]? {
        var scalars = Substring(text).unicodeScalars[...]
        guard scalars.first == "{", scalars.last == "}" else { return nil }
        scalars = scalars.dropFirst().dropLast()
        var elements: [String?] = []
        if scalars.isEmpty { return elements }
        var index = scalars.startIndex
        while true {
            guard index < scalars.endIndex else { return nil }
            if scalars[index] == "\"" {
                var value = String.UnicodeScalarView()
                index = scalars.index(after: index)
                var closed = false
                while index < scalars.endIndex {
                    let scalar = scalars[index]
                    if scalar == "\\" {
                        index = scalars.index(after: index)
                        guard index < scalars.endIndex else { return nil }
                        value.append(scalars[index])
                    } else if scalar == "\"" {
                        closed = true
                        index = scalars.index(after: index)
                        break
                    } else {
                        value.append(scalar)
                    }
                    index = scalars.index(after: index)
                }
                guard closed else { return nil }
                elements.append(String(value))
            } else {
                var end = index
                while end < scalars.endIndex, scalars[end] != "," { end = scalars.index(after: end) }
                let raw = String(String.UnicodeScalarView(scalars[index..<end]))
                if raw == "{" || raw.hasPrefix("{") { return nil }  // nested arrays are not supported
                elements.append(raw.uppercased() == "NULL" ? nil : raw)
                index = end
            }
            if index == scalars.endIndex { return elements }
            guard scalars[index] == "," else { return nil }
            index = scalars.index(after: index)
        }
    }
}
