import Foundation
import Testing

/// `suites` under --quick against a slow server: each suite waits for its ServerHello or alert twice as long
/// as the server took to answer a hello with every suite. The mbed TLS fixture sends its flight about 0.8 s
/// after the hello, which the fixed 0.5 s a suite once got under --quick took for a refusal of every suite.
@Suite struct ProbeSuitesTests {
    @Test func quickSuitesFindWhatASlowServerAccepts() throws {
        let (server, port) = try Peers.mbedtlsServer(["--psk", Peers.psk, "--ciphers",
                                                      "TLS-PSK-WITH-AES-128-GCM-SHA256,TLS-PSK-WITH-AES-128-CCM-8"])
        defer { Peers.end(server) }
        let began = Date()
        let report = try ProbeTests.probe(port: port, ProbeTests.psk + ["--quick", "--only", "suites"])
        let took = Date().timeIntervalSince(began)
        #expect(report.verdicts["suites"] == "pass", "\(report.output)")
        #expect(report.measured["suites"]?["accepted"] as? String == "TLS_PSK_WITH_AES_128_GCM_SHA256 TLS_PSK_WITH_AES_128_CCM_8",
                "\(report.output)")
        let wait = try #require(report.measured["suites"]?["wait_per_suite_ms"] as? Double, "\(report.output)")
        #expect(wait > 500, "each suite waited \(wait) ms")
        // mbed TLS refuses a hello without a suite it has with an alert at once: the other 14 cost no wait.
        #expect(took < 10, "suites took \(took) s")
    }
}
