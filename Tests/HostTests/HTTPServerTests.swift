import Foundation
import HostHTTP
import Synchronization
import Testing

/// Echoes the request as JSON; a few paths behave like real routes under stress.
private struct EchoHandler: HTTPHandler {
    let events = EventLog()

    func handle(_ head: HTTPRequestHead, body: HTTPBody) async -> HTTPResponse {
        switch head.path {
        case "/limited":
            // Decides from the head alone, like a 413 or 401 route.
            if (head.contentLength ?? 0) > 1000 { return .json(413, #"{"error":"too large"}"#) }
        case "/slow":
            try? await Task.sleep(for: .milliseconds(500))
        case "/refuse":
            // Answers without reading a byte of the body.
            return .json(413, #"{"error":"refused"}"#)
        case "/stall":
            // Neither reads nor answers for a while.
            try? await Task.sleep(for: .seconds(2))
            return .json(200, "{}")
        case "/cursor":
            return HTTPResponse(status: 200, body: Array((head.query["cursor"] ?? "-").utf8))
        case "/file":
            // Reads `n` body bytes (a reply mid-body), then answers with the file at `path`.
            var seen = 0
            while seen < Int(head.query["n"] ?? "") ?? 0, let chunk = try? await body.next() { seen += chunk.count }
            guard let file = HTTPFileBody(path: head.query["path"] ?? "") else { return .json(404, "{}") }
            return .file(200, file, contentType: "text/csv; charset=utf-8", headers: [("X-Size", "\(file.size)")])
        case "/reply-after":
            // Reads `n` body bytes, then answers mid-body (like the 50 MiB upload limit).
            let limit = Int(head.query["n"] ?? "") ?? 0
            var seen = 0
            while seen < limit, let chunk = try? await body.next() { seen += chunk.count }
            events.record("replied after \(seen)")
            return .json(413, #"{"error":"too large"}"#)
        case "/slow-start":
            // Lets the buffer pass the high-water mark before reading.
            try? await Task.sleep(for: .milliseconds(300))
        case "/note-start":
            events.record("started")
            _ = try? await body.collect(limit: 1 << 20)
            return .json(200, "{}")
        case "/collect":
            do {
                _ = try await body.collect(limit: 1 << 30)
                events.record("collected")
            } catch {
                events.record("\(error)")
            }
            return .json(200, "{}")
        default: break
        }
        var length = 0
        var chunks = 0
        do {
            while let chunk = try await body.next() {
                length += chunk.count
                chunks += 1
                // A slow consumer: the server must hold the client back, not buffer it all.
                if head.path == "/slow-read" { try? await Task.sleep(for: .milliseconds(2)) }
            }
        } catch {
            return .json(400, #"{"error":"body"}"#)
        }
        let query = head.query.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }
        let json = """
            {"method":"\(head.method)","path":"\(head.path)","query":{\(query.joined(separator: ","))},\
            "length":\(length),"chunks":\(chunks),"x":"\(head.headers["X-Test"] ?? "")","remote":"\(head.remoteAddress)"}
            """
        return .json(200, json)
    }
}

/// Records what handlers saw, for assertions from the test.
final class EventLog: Sendable {
    private let entries = Mutex<[String]>([])
    func record(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }

    /// Polls until `predicate` holds or `seconds` pass.
    func wait(seconds: Double, until predicate: ([String]) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if predicate(all) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return predicate(all)
    }
}

@Suite("HTTP server on libmicrohttpd", .serialized)
struct HTTPServerTests {
    private static func running(
        _ configure: (inout HTTPServer.Configuration) -> Void = { _ in }
    ) throws -> (HTTPServer, EchoHandler) {
        var configuration = HTTPServer.Configuration()
        configuration.port = 0
        configure(&configuration)
        let handler = EchoHandler()
        let server = try HTTPServer(configuration: configuration, handler: handler)
        try server.start()
        #expect(server.port != 0)
        return (server, handler)
    }

    private static func get(_ path: String) -> String {
        "GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n"
    }

    @Test func getAndPostWithBody() async throws {
        let (server, _) = try Self.running()
        let get = try #require(
            try HTTPTestClient.request(
                port: server.port, "GET /api/leads/ld%201?a=1&b=x%20y&a=2 HTTP/1.1\r\nHost: t\r\nx-test: hi\r\n\r\n"))
        #expect(get.status == 200)
        #expect(get.header("content-type") == "application/json; charset=utf-8")
        #expect(get.text.contains(#""path":"/api/leads/ld 1""#))
        #expect(get.text.contains(#""query":{"a":"2","b":"x y"}"#))
        #expect(get.text.contains(#""x":"hi""#))
        #expect(get.text.contains(#""remote":"127.0.0.1""#))

        let post = try #require(
            try HTTPTestClient.request(
                port: server.port, "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"))
        #expect(post.status == 200)
        #expect(post.text.contains(#""method":"POST""#))
        #expect(post.text.contains(#""length":5"#))
        await server.shutdown(gracePeriod: .seconds(1))
    }

    /// A fresh directory holding `name` with `bytes`; the file's `/file` request path.
    private static func servedFile(_ name: String, _ bytes: [UInt8]) throws -> (dir: URL, path: String, query: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("file-body-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (dir, path, "/file?path=" + (path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
    }

    @Test func fileBodiesAreSentFromDiskOnAKeptAliveConnection() async throws {
        let (server, _) = try Self.running()
        let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let (dir, _, query) = try Self.servedFile("big.csv", bytes)
        defer { try? FileManager.default.removeItem(at: dir) }

        let replies = try await Task.detached { () -> [HTTPTestClient.Reply?] in
            let client = try HTTPTestClient(port: server.port, timeout: 20)
            client.send(Self.get(query))
            let first = client.readReply()
            client.send(Self.get(query))
            return [first, client.readReply()]
        }.value
        for reply in replies {
            let r = try #require(reply)
            #expect(r.status == 200)
            #expect(r.header("content-type") == "text/csv; charset=utf-8")
            #expect(r.header("content-length") == "\(bytes.count)")
            #expect(r.body == bytes)
        }

        // A body holds its file open: removing the path does not change it.
        let small = dir.appendingPathComponent("small.csv").path
        try Data("row,line,reason\r\n".utf8).write(to: URL(fileURLWithPath: small))
        let body = try #require(HTTPFileBody(path: small))
        try FileManager.default.removeItem(atPath: small)
        #expect(body.size == 17)
        #expect(HTTPFileBody(path: small) == nil)
        #expect(HTTPFileBody(path: dir.path) == nil)
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func aFileReplyMidBodyIsWrittenWhole() async throws {
        let (server, _) = try Self.running()
        let text = "row,line,reason\r\n2,3,bad\r\n"
        let (dir, _, query) = try Self.servedFile("r.csv", Array(text.utf8))
        defer { try? FileManager.default.removeItem(at: dir) }
        let reply = try await Task.detached { () -> HTTPTestClient.Reply? in
            let client = try HTTPTestClient(port: server.port, timeout: 10)
            // The handler reads 1 MiB of the body, then answers with the file.
            client.send("POST \(query)&n=\(1 << 20) HTTP/1.1\r\nHost: t\r\nContent-Length: 104857600\r\n\r\n")
            let block = [UInt8](repeating: 0x64, count: 64 * 1024)
            var sent = 0
            while sent < 100 << 20, !client.hasData(waitingMilliseconds: 0) {
                guard client.send(block) else { break }
                sent += block.count
            }
            return client.readReply()
        }.value
        let r = try #require(reply)
        #expect(r.status == 200)
        #expect(r.text == text)
        #expect(r.header("connection")?.lowercased() == "close")
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func keepAliveServesTwoRequestsOnOneConnection() async throws {
        let (server, _) = try Self.running()
        let client = try HTTPTestClient(port: server.port)
        client.send(Self.get("/one"))
        let first = try #require(client.readReply())
        #expect(first.status == 200)
        #expect(first.header("connection")?.lowercased() != "close")
        client.send("POST /two HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc")
        let second = try #require(client.readReply())
        #expect(second.text.contains(#""path":"/two""#))
        #expect(second.text.contains(#""length":3"#))
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func streamsTwoMegabytesToASlowReader() async throws {
        let (server, _) = try Self.running()
        let size = 2 << 20
        let reply = try await Task.detached {
            let client = try HTTPTestClient(port: server.port, timeout: 20)
            client.send("POST /slow-read HTTP/1.1\r\nHost: t\r\nContent-Length: \(size)\r\n\r\n")
            let block = [UInt8](repeating: 0x61, count: 64 * 1024)
            for _ in 0..<(size / block.count) { #expect(client.send(block)) }
            return client.readReply()
        }.value
        let echoed = try #require(reply)
        #expect(echoed.status == 200)
        #expect(echoed.text.contains(#""length":\#(size)"#))
        #expect(!echoed.text.contains(#""chunks":1,"#))
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test(arguments: ["Content-Length: 10485760", "Content-Length: 1000000000", "Transfer-Encoding: chunked"])
    func earlyReplyToALargeBodyComesAtOnceAndCloses(_ framing: String) async throws {
        let (server, _) = try Self.running()
        let (reply, closed) = try await Task.detached { () -> (HTTPTestClient.Reply?, Bool) in
            let client = try HTTPTestClient(port: server.port, timeout: 5)
            // Only a few body bytes: the reply must not wait for the rest.
            client.send("POST /refuse HTTP/1.1\r\nHost: t\r\n\(framing)\r\n\r\n")
            client.send(framing.hasPrefix("Transfer") ? "3\r\nabc\r\n" : "abc")
            return (client.readReply(), client.isClosedByPeer())
        }.value
        #expect(reply?.status == 413)
        #expect(reply?.text == #"{"error":"refused"}"#)
        #expect(reply?.header("connection")?.lowercased() == "close")
        #expect(closed)
        let after = try #require(try HTTPTestClient.request(port: server.port, Self.get("/after")))
        #expect(after.status == 200)
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test(arguments: ["Content-Length: 104857600", "Transfer-Encoding: chunked"])
    func replyMidBodyReachesAClientThatIsStillSending(_ framing: String) async throws {
        let (server, handler) = try Self.running()
        let limit = 2 << 20
        let (sent, reply, closed) = try await Task.detached { () -> (Int, HTTPTestClient.Reply?, Bool) in
            let client = try HTTPTestClient(port: server.port, timeout: 10)
            client.send("POST /reply-after?n=\(limit) HTTP/1.1\r\nHost: t\r\n\(framing)\r\n\r\n")
            let block = [UInt8](repeating: 0x64, count: 64 * 1024)
            let chunk = framing.hasPrefix("Transfer") ? Array("10000\r\n".utf8) + block + Array("\r\n".utf8) : block
            var sent = 0
            // Like a browser: keep sending until an answer shows up.
            while sent < 100 << 20, !client.hasData(waitingMilliseconds: 0) {
                guard client.send(chunk) else { break }
                sent += block.count
            }
            return (sent, client.readReply(), client.isClosedByPeer())
        }.value
        #expect(reply?.status == 413)
        #expect(reply?.header("connection")?.lowercased() == "close")
        #expect(closed)
        #expect(sent < limit + (16 << 20))
        #expect(handler.events.all.contains { $0.hasPrefix("replied after") })
        let after = try #require(try HTTPTestClient.request(port: server.port, Self.get("/after")))
        #expect(after.status == 200)
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func chunkedBodyPastTheHighWaterMarkStreamsAndShutsDownCleanly() async throws {
        // Many small chunks: libmicrohttpd calls again in the same loop after a suspend,
        // which once suspended the connection twice and corrupted its lists.
        let (server, _) = try Self.running()
        let size = 4 << 20
        let reply = try await Task.detached { () -> HTTPTestClient.Reply? in
            let client = try HTTPTestClient(port: server.port, timeout: 20)
            client.send("POST /slow-start HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
            let piece = Array("400\r\n".utf8) + [UInt8](repeating: 0x65, count: 1024) + Array("\r\n".utf8)
            let batch = Array([[UInt8]](repeating: piece, count: 64).joined())
            for _ in 0..<(size / (64 * 1024)) { #expect(client.send(batch)) }
            client.send("0\r\n\r\n")
            return client.readReply()
        }.value
        #expect(reply?.status == 200)
        #expect(reply?.text.contains(#""length":\#(size)"#) == true)
        let after = try #require(try HTTPTestClient.request(port: server.port, Self.get("/after")))
        #expect(after.status == 200)
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func shutdownClosesAConnectionHeldAtItsHeaders() async throws {
        let (server, _) = try Self.running()
        let client = try HTTPTestClient(port: server.port, timeout: 5)
        client.send("POST /stall HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        await server.shutdown(gracePeriod: .milliseconds(100))
        #expect(ContinuousClock.now - started < .seconds(2))
        let closed = await Task.detached { client.isClosedByPeer() }.value
        #expect(closed)
    }

    @Test func queryValuesKeepANulByte() async throws {
        let (server, _) = try Self.running()
        let reply = try #require(try HTTPTestClient.request(port: server.port, Self.get("/cursor?cursor=%00garbage")))
        #expect(reply.body == [0] + Array("garbage".utf8))
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func earlyReplyToASmallBodyKeepsTheConnection() async throws {
        let (server, _) = try Self.running()
        let client = try HTTPTestClient(port: server.port)
        client.send("POST /limited HTTP/1.1\r\nHost: t\r\nContent-Length: 50000\r\n\r\n")
        client.send([UInt8](repeating: 0x62, count: 50000))
        let reply = try #require(client.readReply())
        #expect(reply.status == 413)
        client.send(Self.get("/again"))
        #expect(client.readReply()?.status == 200)
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func clientDisconnectingMidBodyStopsTheHandler() async throws {
        let (server, handler) = try Self.running()
        do {
            let client = try HTTPTestClient(port: server.port)
            client.send("POST /collect HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n")
            client.send([UInt8](repeating: 0x63, count: 100_000))
            try await Task.sleep(for: .milliseconds(100))
        }  // closes the socket
        #expect(await handler.events.wait(seconds: 3) { $0.contains { $0.contains("went away") } })
        let after = try #require(try HTTPTestClient.request(port: server.port, Self.get("/after")))
        #expect(after.status == 200)
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func tricklingClientsDoNotStarveANormalRequest() async throws {
        let (server, _) = try Self.running()
        let clients = try (0..<200).map { _ in try HTTPTestClient(port: server.port) }
        let request = Array("GET /trickle HTTP/1.1\r\nHost: t\r\nX-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".utf8)
        let stop = Mutex(false)
        let trickler = Task.detached {
            for byte in request where !stop.withLock({ $0 }) {
                for client in clients { client.send([byte]) }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        let reply = try await Task.detached { try HTTPTestClient.request(port: server.port, Self.get("/normal")) }.value
        #expect(reply?.status == 200)
        #expect(ContinuousClock.now - started < .seconds(2))
        stop.withLock { $0 = true }
        await trickler.value
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func idleConnectionsTimeOut() async throws {
        let (server, _) = try Self.running { $0.connectionTimeout = 1 }
        let closed = try await Task.detached {
            let client = try HTTPTestClient(port: server.port, timeout: 4)
            return client.isClosedByPeer()
        }.value
        #expect(closed)
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test(arguments: ["longRequestLine", "manyHeaders"])
    func oversizedHeadsAreRefusedAndTheServerKeepsServing(_ attack: String) async throws {
        let (server, _) = try Self.running()
        let raw =
            attack == "longRequestLine"
            ? "GET /\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\nHost: t\r\n\r\n"
            : "GET / HTTP/1.1\r\nHost: t\r\n"
                + (0..<10_000).map { "X-H\($0): v\r\n" }.joined() + "\r\n"
        let reply = try await Task.detached { () -> HTTPTestClient.Reply? in
            let client = try HTTPTestClient(port: server.port)
            client.send(raw)
            return client.readReply()
        }.value
        if let reply { #expect((400..<500).contains(reply.status)) }
        let after = try #require(try HTTPTestClient.request(port: server.port, Self.get("/after")))
        #expect(after.status == 200)
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func shutdownFinishesAnInFlightRequest() async throws {
        let (server, _) = try Self.running()
        let port = server.port
        let slow = Task.detached { try HTTPTestClient.request(port: port, Self.get("/slow")) }
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        await server.shutdown(gracePeriod: .seconds(5))
        #expect(ContinuousClock.now - started < .seconds(3))
        let reply = try await slow.value
        #expect(reply?.status == 200)
        #expect(reply?.header("connection")?.lowercased() == "close")
        #expect(throws: (any Error).self) { _ = try HTTPTestClient(port: port) }
    }

    @Test func shutdownAbortsAHandlerPastTheGracePeriod() async throws {
        let (server, handler) = try Self.running()
        let client = try HTTPTestClient(port: server.port)
        // A large body: its handler starts at the headers and is reading when the server stops.
        client.send("POST /collect HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nabc")
        try await Task.sleep(for: .milliseconds(100))
        await server.shutdown(gracePeriod: .milliseconds(200))
        #expect(await handler.events.wait(seconds: 2) { $0.contains { $0.contains("went away") } })
    }

    /// A small body is complete before its handler starts (one hand-over, no waiting
    /// for the body); a client that stops mid-body never starts one.
    @Test func aSmallBodyIsWholeBeforeItsHandlerStarts() async throws {
        let (server, handler) = try Self.running()
        let client = try HTTPTestClient(port: server.port)
        client.send("POST /note-start HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nabc")
        try await Task.sleep(for: .milliseconds(200))
        #expect(handler.events.all.isEmpty)
        client.send("def")
        #expect(client.readReply()?.status == 200)
        #expect(handler.events.all == ["started"])
        await server.shutdown(gracePeriod: .milliseconds(200))
    }

    @Test func portInUseIsAClearError() async throws {
        let (server, _) = try Self.running()
        var configuration = HTTPServer.Configuration()
        configuration.port = server.port
        let second = try HTTPServer(configuration: configuration, handler: EchoHandler())
        let error = try #require(throws: HTTPServerError.self) { try second.start() }
        #expect(error.description == "cannot listen on 127.0.0.1:\(server.port): address already in use")
        await server.shutdown(gracePeriod: .seconds(1))
    }
}
