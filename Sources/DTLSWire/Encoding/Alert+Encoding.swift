extension Alert {
    public static let closeNotify = Alert(level: AlertLevel.warning, description: AlertDescription.closeNotify)

    /// The alert's two bytes, level first: a record's whole payload.
    public var encoded: [UInt8] { [level, description] }
}
