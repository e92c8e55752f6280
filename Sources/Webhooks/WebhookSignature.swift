import Crypto
import Foundation

/// The Standard Webhooks signature: `v1,` and the base64 HMAC-SHA256 of
/// `"{webhook-id}.{webhook-timestamp}.{body}"`, keyed with the secret's bytes (the
/// base64 after `whsec_`).
public enum WebhookSignature {
    public static func sign(secret: String, id: String, timestamp: Int, body: [UInt8]) -> String {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        let key = SymmetricKey(data: Data(base64Encoded: encoded) ?? Data(encoded.utf8))
        var message = Array("\(id).\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }
}
