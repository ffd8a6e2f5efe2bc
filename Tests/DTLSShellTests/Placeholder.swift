import Testing
@testable import DTLSShell
