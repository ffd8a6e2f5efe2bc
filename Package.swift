// swift-tools-version:6.0
import PackageDescription

// Linux only, so no `platforms:` claim: the engine and the executable import
// Glibc and use recvmmsg/sendmmsg, signalfd, SO_REUSEPORT balancing and /proc.
let package = Package(
    name: "dtlsh",
    products: [
        .executable(name: "dtlsh", targets: ["dtlsh"]),
        .library(name: "DTLSPlex", targets: ["DTLSPlex"]),
    ],
    dependencies: [
        // The process's own flags only; the shell's grammar is our own command table.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CLibEdit", pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]),
        .systemLibrary(name: "CSystem"),
        // The clock OpenSSL's DTLS timers read (gettimeofday, interposed).
        .target(name: "CClock"),
        .target(name: "DTLSWire"),
        .target(name: "DTLSPlex", dependencies: ["COpenSSL", "CClock", "CSystem", "DTLSWire"]),
        .target(name: "DTLSShell", dependencies: ["DTLSPlex", "DTLSWire", "CSystem"]),
        .target(name: "LineEditor", dependencies: ["CLibEdit"]),
        // `dtlsh probe`'s battery: raw datagrams from DTLSWire's encoder, complete handshakes and
        // self-protected records from the engine.
        .target(name: "DTLSProbe", dependencies: ["DTLSPlex", "DTLSWire"]),
        .executableTarget(
            name: "dtlsh",
            dependencies: [
                "DTLSShell", "DTLSPlex", "DTLSWire", "DTLSProbe", "LineEditor", "CSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // The fuzzers' seeded generator, shared by the test targets.
        .target(name: "FuzzSupport", path: "Tests/FuzzSupport"),
        // The one launcher of child processes (dtlsh, foreign peers) for the test targets.
        .target(name: "SubprocessSupport", path: "Tests/SubprocessSupport"),
        .testTarget(name: "DTLSWireTests", dependencies: ["DTLSWire", "FuzzSupport"]),
        .testTarget(name: "DTLSPlexTests", dependencies: ["DTLSPlex", "DTLSWire", "FuzzSupport"]),
        .testTarget(name: "DTLSShellTests", dependencies: ["DTLSShell", "DTLSPlex", "FuzzSupport", "SubprocessSupport"]),
        .testTarget(name: "LineEditorTests", dependencies: ["LineEditor"], exclude: ["tmux-drive.sh"]),
        // Runs the built `dtlsh` against real foreign peers (openssl, gnutls, mbed TLS).
        .testTarget(name: "InteropTests", dependencies: ["DTLSPlex", "DTLSWire", "SubprocessSupport"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
