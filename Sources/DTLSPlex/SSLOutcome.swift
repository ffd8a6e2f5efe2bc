internal import COpenSSL

/// What a call on a connection came to: OpenSSL's error code for it, typed. The
/// names are OpenSSL's, for the shell and the events to show.
public enum SSLOutcome: Sendable, Equatable {
    /// SSL_ERROR_NONE: the call did what it was asked (the handshake is
    /// done, a message was read or written).
    case progressed
    /// SSL_ERROR_WANT_READ: nothing more until a datagram arrives.
    case wantsRead
    /// SSL_ERROR_WANT_WRITE.
    case wantsWrite
    /// SSL_ERROR_ZERO_RETURN: the other side sent close_notify.
    case closed
    /// Anything else: the association is over. The error names what
    /// OpenSSL's code said and holds OpenSSL's error queue.
    case failed(OpenSSLError)

    /// As OpenSSL spells it: "SSL_ERROR_WANT_READ".
    public var name: String {
        switch self {
        case .progressed: "SSL_ERROR_NONE"
        case .wantsRead: "SSL_ERROR_WANT_READ"
        case .wantsWrite: "SSL_ERROR_WANT_WRITE"
        case .closed: "SSL_ERROR_ZERO_RETURN"
        case let .failed(error): error.sslErrorName ?? "SSL_ERROR_SSL"
        }
    }

    /// The name of any of OpenSSL's SSL error codes.
    static func name(ofCode code: Int32) -> String {
        switch code {
        case SSL_ERROR_NONE: "SSL_ERROR_NONE"
        case SSL_ERROR_SSL: "SSL_ERROR_SSL"
        case SSL_ERROR_WANT_READ: "SSL_ERROR_WANT_READ"
        case SSL_ERROR_WANT_WRITE: "SSL_ERROR_WANT_WRITE"
        case SSL_ERROR_WANT_X509_LOOKUP: "SSL_ERROR_WANT_X509_LOOKUP"
        case SSL_ERROR_SYSCALL: "SSL_ERROR_SYSCALL"
        case SSL_ERROR_ZERO_RETURN: "SSL_ERROR_ZERO_RETURN"
        case SSL_ERROR_WANT_CONNECT: "SSL_ERROR_WANT_CONNECT"
        case SSL_ERROR_WANT_ACCEPT: "SSL_ERROR_WANT_ACCEPT"
        case SSL_ERROR_WANT_ASYNC: "SSL_ERROR_WANT_ASYNC"
        case SSL_ERROR_WANT_ASYNC_JOB: "SSL_ERROR_WANT_ASYNC_JOB"
        case SSL_ERROR_WANT_CLIENT_HELLO_CB: "SSL_ERROR_WANT_CLIENT_HELLO_CB"
        default: "SSL_ERROR(\(code))"
        }
    }
}
