/// Certificate (RFC 5246 §7.4.2): the chain, with a summary of each entry.
public struct CertificateMessage: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// Length of the DER encoding.
        public var length: Int
        /// Nil when the DER walk could not follow the certificate.
        public var summary: CertificateSummary?
    }

    public var certificates: [Entry]

    static func read(_ r: inout FieldReader) -> CertificateMessage? {
        let entries = r.vector("certificate_list", prefix: 3, summary: { (list: [Entry]) in
            "\(list.count) certificate(s)"
        }) { r -> [Entry]? in
            var entries: [Entry] = []
            while !r.isAtEnd {
                let start = r.offset
                guard let der = r.reader.u24().map(Int.init) else {
                    r.note("certificate length: needs 3 byte(s), \(r.remaining) left")
                    return nil
                }
                guard let body = r.reader.sub(der) else {
                    r.note("certificate: length \(der) runs past the end (\(r.remaining) byte(s) left)", at: start)
                    return nil
                }
                var children: [Field] = []
                let summary = CertificateSummary.parse(body, fields: &children)
                let label = summary?.subjectCommonName.map { "CN=\($0)" } ?? summary?.subject ?? "undecoded DER"
                r.add("certificate", "\(der)B \(label)", from: start, children: children)
                entries.append(Entry(length: der, summary: summary))
            }
            return entries
        }
        guard let entries else { return nil }
        r.expectEnd("Certificate")
        return CertificateMessage(certificates: entries)
    }
}
