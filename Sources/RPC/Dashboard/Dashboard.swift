import Contracts
import Foundation
import HTTPTypes
import NIOCore

/// The browser dashboard: one HTML page, its CSS and JavaScript inline, compiled into
/// the binary (`DashboardAssets`), so it needs no network and no resource bundle. The node serves
/// it on `GET /` to a request whose `Accept` names `text/html`; the page then talks to the node's
/// own JSON-RPC (POST /) and WebSocket (same port) like any other client.
///
/// The page is assembled once: the template with the node facts it cannot ask for over JSON-RPC
/// (whether chain time follows the wall clock) and the five contracts' function table (selector →
/// name and argument formats), so it decodes calldata exactly as the console logs it.
public struct Dashboard: Sendable {
    /// The complete page, UTF-8.
    public let page: [UInt8]

    /// `wallClock`: chain time is wall clock + offset (false with `--no-wall-clock`: genesis + offset).
    public init(wallClock: Bool, functions: [NativeFunctionInfo] = NativeContracts.functionCatalog) {
        var byContract: [(String, JSON)] = []
        for f in functions {
            let sel = String(f.selector, radix: 16)
            let entry: (String, JSON) = (String(repeating: "0", count: 8 - sel.count) + sel,
                                         .array([.string(f.name), .array(f.inputs.map { .array([.string($0.type), .string($0.format)]) })]))
            if let i = byContract.firstIndex(where: { $0.0 == f.contract }), case .object(var fs) = byContract[i].1 {
                fs.append(entry)
                byContract[i].1 = .object(fs)
            } else {
                byContract.append((f.contract, .object([entry])))
            }
        }
        let info: JSON = .object([("wallClock", .bool(wallClock)), ("functions", .object(byContract))])
        // Inside <script>, "</" must not appear literally.
        let infoText = info.jsonString.replacingOccurrences(of: "</", with: "<\\/")
        let html = DashboardAssets.html
            .replacingOccurrences(of: "/*STYLE*/", with: DashboardAssets.css)
            .replacingOccurrences(of: "/*NODE_INFO*/", with: infoText)
            .replacingOccurrences(of: "/*SCRIPT*/", with: DashboardAssets.script)
        page = Array(html.utf8)
    }

    /// Whether an `Accept` header asks for HTML (a browser's navigation does; curl's `*/*` and
    /// JSON-RPC clients do not).
    public static func wantsHTML(_ accept: String?) -> Bool {
        guard let accept else { return false }
        return accept.split(separator: ",").contains { part in
            part.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() == "text/html" } ?? false
        }
    }

    /// The page's headers: no caching (it is tied to this node) and a policy that lets it reach
    /// nothing but the node it came from.
    func headers() -> HTTPFields {
        var h = HTTPFields()
        h[.contentType] = "text/html; charset=utf-8"
        h[.cacheControl] = "no-store"
        h[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'"
        h[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return h
    }
}
