import Foundation

extension JSONValue {
    /// The value read as a `Decodable` type (a job's typed payload on its way out).
    public func decode<Value: Decodable>(as type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: Data(serialized))
    }
}
