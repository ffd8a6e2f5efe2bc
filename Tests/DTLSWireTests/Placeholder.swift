import Testing
@testable import DTLSWire
