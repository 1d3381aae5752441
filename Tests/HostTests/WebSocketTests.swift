import Foundation
import HostHTTP
import Synchronization
import Testing

/// Routes for the WebSocket tests: echo, small limits, a broadcast hub, a flood, a ping check.
private final class WebSocketRoutes: HTTPHandler, Sendable {
    /// Sockets on `/hub` and `/slow-hub`, in connection order.
    let hub = Mutex<[WebSocket]>([])
    /// Close codes the server saw, by path.
    let closedCodes = Mutex<[String: [UInt16]]>([:])

    func handle(_ head: HTTPRequestHead, body: HTTPBody) async -> HTTPResponse {
        var options = WebSocketOptions()
        switch head.path {
        case "/plain":
            return .json(200, #"{"plain":true}"#)
        case "/small":
            options.maxMessageBytes = 1024
        case "/slow-hub":
            options.maxQueuedBytes = 2 * 1024 * 1024
            options.closeTimeout = .seconds(3)
        case "/ping":
            options.pingInterval = .milliseconds(150)
        default: break
        }
        let path = head.path
        let response = HTTPResponse.webSocket(head, options: options) { [self] ws in
            if path == "/hub" || path == "/slow-hub" {
                hub.withLock { $0.append(ws) }
                for await _ in ws.messages {}
            } else {
                for await message in ws.messages {
                    if case .text(let text) = message { ws.send(text: text) }
                }
            }
            let code = await ws.closed()
            closedCodes.withLock { $0[path, default: []].append(code) }
        }
        return response ?? .json(400, #"{"error":"not a WebSocket handshake","code":"invalid_payload"}"#)
    }

    func waitForHub(count: Int) async {
        for _ in 0..<3000 where hub.withLock({ $0.count }) < count {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    func codes(_ path: String, waitingFor count: Int) async -> [UInt16] {
        for _ in 0..<3000 where (closedCodes.withLock { $0[path]?.count ?? 0 }) < count {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return closedCodes.withLock { $0[path] ?? [] }
    }
}

@Suite("WebSocket", .serialized)
struct WebSocketTests {
    private func withServer(
        connectionLimit: Int = 1024, _ body: (HTTPServer, WebSocketRoutes) async throws -> Void
    ) async throws {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configuration.connectionLimit = connectionLimit
        let routes = WebSocketRoutes()
        let server = try HTTPServer(configuration: configuration, handler: routes)
        try server.start()
        try await body(server, routes)
        await server.shutdown(gracePeriod: .seconds(2))
    }

    @Test func echoesTextAndClosesWith1000() async throws {
        try await withServer { server, routes in
            let port = server.port
            let (replies, closeCode) = try await onThread { () throws -> ([String], UInt16?) in
                let client = try WebSocketTestClient(port: port, path: "/echo")
                var replies: [String] = []
                for text in ["hello", "wörld ✓", String(repeating: "x", count: 70_000 / 2)] {
                    client.send(text: text)
                    replies.append(client.readFrame()?.text ?? "<none>")
                }
                client.sendClose(1000)
                let code = client.readCloseCode()
                return (replies, code)
            }.get()
            #expect(replies == ["hello", "wörld ✓", String(repeating: "x", count: 35_000)])
            #expect(closeCode == 1000)
            #expect(await routes.codes("/echo", waitingFor: 1) == [1000])
        }
    }

    @Test func unmaskedClientFrameCloses1002() async throws {
        try await withServer { server, routes in
            let port = server.port
            let code = try await onThread { () throws -> UInt16? in
                let client = try WebSocketTestClient(port: port, path: "/echo")
                client.sendFrame(opcode: 1, Array("bare".utf8), masked: false)
                return client.readCloseCode()
            }.get()
            #expect(code == 1002)
            #expect(await routes.codes("/echo", waitingFor: 1) == [1002])
        }
    }

    @Test func unknownOpcodeCloses1002() async throws {
        try await withServer { server, _ in
            let port = server.port
            let code = try await onThread { () throws -> UInt16? in
                let client = try WebSocketTestClient(port: port, path: "/echo")
                client.sendFrame(opcode: 0x3, [1, 2, 3])
                return client.readCloseCode()
            }.get()
            #expect(code == 1002)
        }
    }

    @Test func oversizedMessageCloses1009() async throws {
        try await withServer { server, routes in
            let port = server.port
            let code = try await onThread { () throws -> UInt16? in
                let client = try WebSocketTestClient(port: port, path: "/small")
                client.send(text: "fits")
                guard client.readFrame()?.text == "fits" else { return nil }
                client.sendFrame(opcode: 2, [UInt8](repeating: 7, count: 2000))
                return client.readCloseCode()
            }.get()
            #expect(code == 1009)
            #expect(await routes.codes("/small", waitingFor: 1) == [1009])
        }
    }

    @Test func invalidUTF8TextCloses1007() async throws {
        try await withServer { server, routes in
            let port = server.port
            let code = try await onThread { () throws -> UInt16? in
                let client = try WebSocketTestClient(port: port, path: "/echo")
                client.sendFrame(opcode: 1, [0x68, 0xFF, 0xFE, 0x69])
                return client.readCloseCode()
            }.get()
            #expect(code == 1007)
            #expect(await routes.codes("/echo", waitingFor: 1) == [1007])
        }
    }

    @Test func nonUpgradeRequestsStillWork() async throws {
        try await withServer { server, _ in
            let port = server.port
            let plain = try await onThread {
                try HTTPTestClient.request(port: port, "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
            }.get()
            #expect(plain?.status == 200)
            #expect(plain?.text == #"{"plain":true}"#)
            // A GET to a WebSocket route without the handshake headers is not upgraded.
            let refused = try await onThread {
                try HTTPTestClient.request(port: port, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
            }.get()
            #expect(refused?.status == 400)
            // Both on the same server with a live socket.
            let echoed = try await onThread { () throws -> String? in
                let client = try WebSocketTestClient(port: port, path: "/echo")
                client.send(text: "still here")
                return client.readFrame()?.text
            }.get()
            #expect(echoed == "still here")
        }
    }

    @Test func stalledReaderClosed1013WhileOthersKeepReceiving() async throws {
        try await withServer { server, routes in
            let port = server.port
            let stalled = try await connect(port, "/slow-hub")
            stalled.setReceiveBuffer(64 * 1024)
            await routes.waitForHub(count: 1)  // so hub[0] is the stalled one
            let reading = try await connect(port, "/slow-hub")
            await routes.waitForHub(count: 2)
            let sockets = routes.hub.withLock { $0 }
            let payload = String(repeating: "a", count: 2000)
            let total = 10_000
            // The reading client drains on its own thread while the server floods both.
            let received = Task {
                await onThread { () -> Int in
                    var count = 0
                    while count < total, let frame = reading.readFrame(), frame.opcode == 1 { count += 1 }
                    return count
                }
            }
            var refusedAt: Int?
            var readerRefused = false
            for index in 0..<total {
                if !sockets[0].send(text: payload), refusedAt == nil { refusedAt = index }
                if !sockets[1].send(text: payload) { readerRefused = true }
                if index % 10 == 0 { try await Task.sleep(for: .milliseconds(1)) }
            }
            print("stalled reader refused at frame \(refusedAt ?? -1)")
            #expect(refusedAt != nil)
            #expect(!readerRefused)
            #expect(await received.value == total)
            // The stalled client finds the close frame after what was already on its way.
            let code = await onThread { () -> UInt16? in
                let code = stalled.readCloseCode()
                stalled.sendClose(1000)
                return code
            }
            #expect(code == 1013)
            #expect(await sockets[0].closed() == 1013)
        }
    }

    @Test func broadcastReachesTwoHundredSockets() async throws {
        try await withServer { server, routes in
            let port = server.port
            let count = 200
            var clients: [WebSocketTestClient] = []
            clients = try await onThread {
                try (0..<count).map { _ in try WebSocketTestClient(port: port, path: "/hub") }
            }.get()
            await routes.waitForHub(count: count)
            let sockets = routes.hub.withLock { $0 }
            #expect(sockets.count == count)
            let payload = String(repeating: "b", count: 2048)
            let start = ContinuousClock.now
            for socket in sockets { socket.send(text: payload) }
            let elapsed = ContinuousClock.now - start
            print("broadcast of 2 KiB to \(count) sockets: \(elapsed) (caller side)")
            // The same again as one batch (nested, as a caller inside another may be): the
            // sockets are handed to the I/O thread when the outer batch ends.
            let batched = String(repeating: "c", count: 100)
            WebSocket.sendingTogether {
                for socket in sockets.prefix(100) { socket.send(text: batched) }
                WebSocket.sendingTogether {
                    for socket in sockets.dropFirst(100) { socket.send(text: batched) }
                }
            }
            let all = clients
            let received = await onThread {
                all.allSatisfy { $0.readFrame()?.text == payload && $0.readFrame()?.text == batched }
            }
            #expect(received)

            // A task started inside a batch inherits it but may send after it was handed
            // over: that frame still goes out, and the socket keeps working after it.
            let late = Task {
                WebSocket.sendingTogether {
                    _ = Task {
                        try? await Task.sleep(for: .milliseconds(20))
                        sockets[0].send(text: "late")
                    }
                }
            }
            await late.value
            let first = clients[0]
            #expect(await onThread { first.readFrame()?.text } == "late")
            sockets[0].send(text: "after")
            #expect(await onThread { first.readFrame()?.text } == "after")
        }
    }

    @Test func silentPeerIsDroppedAfterAPingInterval() async throws {
        try await withServer { server, routes in
            let port = server.port
            let client = try await connect(port, "/ping")
            // Reads the ping but never answers (nor sends anything).
            let sawPing = await onThread { client.readAnyFrame()?.opcode == 9 }
            #expect(sawPing)
            #expect(await routes.codes("/ping", waitingFor: 1) == [1001])
            #expect(await onThread { client.isClosedByPeer() })
        }
    }

    @Test func answeringPeerIsKept() async throws {
        try await withServer { server, routes in
            let port = server.port
            let client = try await connect(port, "/ping")
            // Answer pings for ~3 intervals, then check the echo still works.
            let echoed = await onThread { () -> String? in
                var pings = 0
                while pings < 3, let frame = client.readAnyFrame() {
                    if frame.opcode == 9 {
                        pings += 1
                        client.sendFrame(opcode: 0xA, frame.payload)
                    }
                }
                client.send(text: "alive")
                return client.readFrame()?.text
            }
            #expect(echoed == "alive")
            #expect(routes.closedCodes.withLock { $0["/ping"] } == nil)
        }
    }

    @Test func shutdownClosesSocketsWith1001() async throws {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        let routes = WebSocketRoutes()
        let server = try HTTPServer(configuration: configuration, handler: routes)
        try server.start()
        let clients = [
            try await connect(server.port, "/hub"),
            try await connect(server.port, "/echo"),
        ]
        await routes.waitForHub(count: 1)
        let codes = Task {
            await onThread { () -> [UInt16?] in
                clients.map { client in
                    let code = client.readCloseCode()
                    client.sendClose(code ?? 1000)
                    return code
                }
            }
        }
        let start = ContinuousClock.now
        await server.shutdown(gracePeriod: .seconds(5))
        let elapsed = ContinuousClock.now - start
        #expect(await codes.value == [1001, 1001])
        #expect(elapsed < .seconds(3))
        #expect(await routes.hub.withLock { $0[0] }.closed() == 1001)
        #expect(throws: (any Error).self) {
            try HTTPTestClient.request(port: server.port, "GET /plain HTTP/1.1\r\n\r\n")
        }
    }
}

extension Result where Failure == any Error {
    fileprivate init(catching body: () throws -> Success) {
        do { self = .success(try body()) } catch { self = .failure(error) }
    }
}

/// Connects (the handshake blocks) on its own thread.
private func connect(_ port: UInt16, _ path: String) async throws -> WebSocketTestClient {
    try await onThread { try WebSocketTestClient(port: port, path: path) }.get()
}

/// `onThread` for throwing work: the result carries the error back.
private func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
    await onThread { Result { try work() } }
}
