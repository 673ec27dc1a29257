import HTTPTypes
import Hummingbird
import NIOCore

extension HTTPRPCResponder {
    /// The dashboard page for a browser's `GET /` (or `HEAD /`) asking for HTML, when the node
    /// serves one; nil for every other request, which then gets the plain-text banner as before.
    func dashboardPage(_ request: Request) -> Response? {
        guard let dashboard = config.dashboard, request.uri.path == "/" || request.uri.path.isEmpty,
              Dashboard.wantsHTML(request.headers[.accept]) else { return nil }
        return Response(status: .ok, headers: dashboard.headers(),
                        body: request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(bytes: dashboard.page)))
    }
}
