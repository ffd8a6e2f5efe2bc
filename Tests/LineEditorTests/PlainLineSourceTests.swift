#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import LineEditor

/// A pipe whose read end feeds a `PlainLineSource`, as `dtlsh < file` or `cat script | dtlsh` would.
private final class Pipe {
    let source: PlainLineSource
    private let readEnd: Int32
    private var writeEnd: Int32

    init() {
        var ends: [Int32] = [0, 0]
        precondition(pipe(&ends) == 0)
        readEnd = ends[0]
        writeEnd = ends[1]
        source = PlainLineSource(fileDescriptor: readEnd)
    }

    deinit {
        close(readEnd)
        closeWriteEnd()
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    func write(_ bytes: [UInt8]) {
        let written = bytes.withUnsafeBytes { writeAll(writeEnd, $0) }
        precondition(written == bytes.count)
    }

    func closeWriteEnd() {
        if writeEnd >= 0 { close(writeEnd) }
        writeEnd = -1
    }
}

private func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    var done = 0
    while done < bytes.count {
        let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
        guard n > 0 else { return done }
        done += n
    }
    return done
}

@Suite struct PlainLineSourceTests {
    @Test func defaultsToStandardInput() {
        #expect(PlainLineSource().fileDescriptor == 0)
    }

    @Test func oneLine() {
        let pipe = Pipe()
        pipe.write("open srv\n")
        #expect(pipe.source.readAvailable() == [.line("open srv")])
    }

    @Test func manyLinesInOneRead() {
        let pipe = Pipe()
        pipe.write("open srv\nopen cli\n\nconnect c1 cli 127.0.0.1:4433\n")
        #expect(pipe.source.readAvailable() == [
            .line("open srv"), .line("open cli"), .line(""), .line("connect c1 cli 127.0.0.1:4433"),
        ])
    }

    @Test func partialLinesAreBufferedUntilTheirNewline() {
        let pipe = Pipe()
        pipe.write("ste")
        #expect(pipe.source.readAvailable() == [])
        pipe.write("p c1\nflu")
        #expect(pipe.source.readAvailable() == [.line("step c1")])
        pipe.write("sh c1\n")
        #expect(pipe.source.readAvailable() == [.line("flush c1")])
    }

    @Test func crlfLosesItsCarriageReturn() {
        let pipe = Pipe()
        pipe.write("recv srv\r\nstep c1\r\n")
        #expect(pipe.source.readAvailable() == [.line("recv srv"), .line("step c1")])
    }

    @Test func crlfSplitAcrossReads() {
        let pipe = Pipe()
        pipe.write("recv srv\r")
        #expect(pipe.source.readAvailable() == [])
        pipe.write("\n")
        #expect(pipe.source.readAvailable() == [.line("recv srv")])
    }

    @Test func carriageReturnInsideALineStays() {
        let pipe = Pipe()
        pipe.write("a\rb\n")
        #expect(pipe.source.readAvailable() == [.line("a\rb")])
    }

    @Test func utf8Intact() {
        let pipe = Pipe()
        pipe.write("send c1 héllo wörld ✓ 日本\n")
        #expect(pipe.source.readAvailable() == [.line("send c1 héllo wörld ✓ 日本")])
    }

    @Test func utf8CharacterSplitAcrossReads() {
        let pipe = Pipe()
        let bytes = Array("send héllo\n".utf8)
        let cut = bytes.firstIndex(of: 0xC3)! + 1  // between the two bytes of "é"
        pipe.write(Array(bytes[..<cut]))
        #expect(pipe.source.readAvailable() == [])
        pipe.write(Array(bytes[cut...]))
        #expect(pipe.source.readAvailable() == [.line("send héllo")])
    }

    @Test func invalidUTF8BecomesReplacementCharacters() {
        let pipe = Pipe()
        pipe.write([0x61, 0xFF, 0x62, 0x0A])
        #expect(pipe.source.readAvailable() == [.line("a\u{FFFD}b")])
    }

    @Test func byteOrderMarkAtTheStartIsDropped() {
        let pipe = Pipe()
        pipe.write([0xEF, 0xBB])
        #expect(pipe.source.readAvailable() == [])
        pipe.write([0xBF] + Array("help\n\u{FEFF}x\n".utf8))
        #expect(pipe.source.readAvailable() == [.line("help"), .line("\u{FEFF}x")])
    }

    @Test func endOfInputAfterATrailingNewline() {
        let pipe = Pipe()
        pipe.write("quit\n")
        pipe.closeWriteEnd()
        #expect(pipe.source.readAvailable() == [.line("quit")])
        #expect(pipe.source.readAvailable() == [.endOfInput])
    }

    @Test func unterminatedLastLineComesBeforeEndOfInput() {
        let pipe = Pipe()
        pipe.write("step c1\nquit")
        #expect(pipe.source.readAvailable() == [.line("step c1")])
        pipe.closeWriteEnd()
        #expect(pipe.source.readAvailable() == [.line("quit"), .endOfInput])
    }

    @Test func unterminatedCRLFLastLine() {
        let pipe = Pipe()
        pipe.write("quit\r")
        pipe.closeWriteEnd()
        #expect(pipe.source.readAvailable() == [])
        #expect(pipe.source.readAvailable() == [.line("quit"), .endOfInput])
    }

    @Test func emptyInput() {
        let pipe = Pipe()
        pipe.closeWriteEnd()
        #expect(pipe.source.readAvailable() == [.endOfInput])
    }

    @Test func endOfInputIsReportedOnce() {
        let pipe = Pipe()
        pipe.closeWriteEnd()
        #expect(pipe.source.readAvailable() == [.endOfInput])
        #expect(pipe.source.readAvailable() == [])
    }

    @Test func nonBlockingDescriptorWithNothingToRead() {
        let pipe = Pipe()
        let flags = fcntl(pipe.source.fileDescriptor, F_GETFL)
        #expect(fcntl(pipe.source.fileDescriptor, F_SETFL, flags | O_NONBLOCK) == 0)
        #expect(pipe.source.readAvailable() == [])
        pipe.write("peers\n")
        #expect(pipe.source.readAvailable() == [.line("peers")])
        #expect(pipe.source.readAvailable() == [])
    }

    @Test func linesLongerThanOneRead() {
        let pipe = Pipe()
        let long = String(repeating: "ab", count: 50_000)  // 100 000 bytes: more than one 64 KiB read
        // A pipe holds 64 KiB, so write from another thread while this one reads.
        let writer = Thread { pipe.write(long + "\nnext\n") }
        var events: [LineEvent] = []
        while events.count < 2 { events += pipe.source.readAvailable() }
        writer.join()
        #expect(events == [.line(long), .line("next")])
    }
}

/// Just enough of a thread to feed a pipe concurrently without Foundation.
private final class Thread: @unchecked Sendable {
    private var handle = pthread_t()
    private let body: () -> Void

    init(_ body: @escaping () -> Void) {
        self.body = body
        let context = Unmanaged.passRetained(self).toOpaque()
        precondition(pthread_create(&handle, nil, { context in
            let thread = Unmanaged<Thread>.fromOpaque(context!).takeRetainedValue()
            thread.body()
            return nil
        }, context) == 0)
    }

    func join() { pthread_join(handle, nil) }
}
