import Testing
@testable import DTLSPlex
