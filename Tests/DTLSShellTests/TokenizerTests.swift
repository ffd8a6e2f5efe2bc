import DTLSShell
import Testing

@Suite struct TokenizerTests {
    @Test(arguments: [
        ("send c1 hello", ["send", "c1", "hello"]),
        ("  send   c1\thello  ", ["send", "c1", "hello"]),
        ("send c1 \"hello world\"", ["send", "c1", "hello world"]),
        ("send c1 'it''s'", ["send", "c1", "its"]),
        ("send c1 'a \"b\" c'", ["send", "c1", "a \"b\" c"]),
        ("send c1 \"tab\\there\"", ["send", "c1", "tab\there"]),
        ("send c1 a\\ b", ["send", "c1", "a b"]),
        ("send c1 \"\"", ["send", "c1", ""]),
        ("step c1 # flight 1", ["step", "c1"]),
        ("# only a comment", []),
        ("send c1 a#b", ["send", "c1", "a#b"]),
        ("", []),
        ("send c1 héllo wörld", ["send", "c1", "héllo", "wörld"]),
    ])
    func words(_ line: String, _ expected: [String]) throws {
        #expect(try Tokenizer.words(line) == expected)
    }

    @Test(arguments: ["send c1 \"open", "send c1 'open", "send c1 trailing\\"])
    func errors(_ line: String) {
        #expect(throws: Tokenizer.Failure.self) { try Tokenizer.words(line) }
    }

    @Test func hexPayloads() throws {
        #expect(try Tokenizer.payload("hex:0a0B ff") == [0x0a, 0x0b, 0xff])
        #expect(try Tokenizer.payload("hex:00:01") == [0, 1])
        #expect(try Tokenizer.payload("plain") == Array("plain".utf8))
        #expect(throws: Tokenizer.Failure.self) { try Tokenizer.payload("hex:abc") }
        #expect(throws: Tokenizer.Failure.self) { try Tokenizer.payload("hex:zz") }
        #expect(throws: Tokenizer.Failure.self) { try Tokenizer.payload("hex:") }
    }

    @Test func commandSplitting() {
        #expect(Tokenizer.commands("open a; open b ;; echo 'x;y'") == ["open a", "open b", "echo 'x;y'"])
        #expect(Tokenizer.commands("echo \"a;b\"; echo c\\;d") == ["echo \"a;b\"", "echo c\\;d"])
    }
}
