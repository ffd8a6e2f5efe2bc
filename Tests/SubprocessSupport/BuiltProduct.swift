import Foundation

public enum BuiltProduct {
    /// The `dtlsh` built beside the test bundle (or DTLSH_BINARY).
    public static let dtlsh: String = {
        if let path = ProcessInfo.processInfo.environment["DTLSH_BINARY"] { return path }
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        // The test bundle lives in .build/<triple>/debug/dtlshPackageTests.xctest[/…]; dtlsh beside it.
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("dtlsh").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return "dtlsh"
    }()
}
