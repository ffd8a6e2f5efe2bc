import DTLSWire

extension Relay {
    /// One datagram from a side of `leg`: classified, decided on, reported, sent (or not).
    func handle(_ bytes: [UInt8], on leg: RelayLeg, _ direction: RelayDirection) {
        let t = now()
        leg.lastActivity = t
        let seen = leg.tracker.observe(bytes, fromClient: direction.fromClient)
        if direction == .up { leg.totals.up += 1 } else { leg.totals.down += 1 }
        for name in Set(seen.messageNames) { leg.messageCounts[name, default: 0] += 1 }
        // A flight-5 resend after flight 6 passed: the client had not got flight 6.
        if direction == .up, seen.flight == 5, seen.isResend, leg.flight6PassedAt != nil { leg.flight5ResentAfterFlight6 = true }
        if holding {
            let id = leg.note(RelayLegEntry(time: t, direction: direction, action: nil, size: bytes.count, observation: seen))
            leg.queues[direction, default: []].append(HeldDatagram(bytes: bytes, observation: seen, entry: id))
            emit(leg, .held(direction, bytes: bytes, observation: seen, position: leg.queue(direction).count))
            return
        }
        impair(bytes, seen, on: leg, direction, at: t)
    }

    /// Auto mode: the impairments decide; the datagram is reported and sent (or not).
    private func impair(_ bytes: [UInt8], _ seen: FlightObservation, on leg: RelayLeg, _ direction: RelayDirection,
                        at t: Double) {
        var bytes = bytes
        var (action, reason, recovery) = decide(bytes.count, seen, leg, direction)
        if action == .forwarded, corruptApplicationData(&bytes, leg) {
            (action, reason) = (.edited, "--corrupt-app: the last byte of an application data record flipped")
        }
        var due: Double?
        let messageDelay = settings.delayMessages.filter { seen.messageNames.contains($0.name) }.map(\.milliseconds).max() ?? 0
        if action != .dropped, settings.delayMilliseconds > 0 || settings.jitterMilliseconds > 0 || messageDelay > 0 {
            let jitter = settings.jitterMilliseconds > 0
                ? Double(leg.impairment.next() % 1_000_000) / 1_000_000 * settings.jitterMilliseconds : 0
            let ms = settings.delayMilliseconds + jitter + messageDelay
            if delayLine.isFull {
                (action, reason) = (.dropped, "the delay line is full (\(DelayLine.capacity) datagrams)")
            } else {
                due = t + ms / 1000
                if action == .forwarded {
                    action = .delayed
                    reason = "delayed \(Int(ms.rounded())) ms"
                }
            }
        }
        switch action {
        case .dropped: leg.totals.dropped += 1
        case .duplicated: leg.totals.duplicated += 1
        case .reordered: leg.totals.reordered += 1
        case .delayed: leg.totals.delayed += 1
        case .edited: leg.totals.edited += 1
        default: break
        }
        report(bytes, seen, on: leg, direction, action, reason, recovery, at: t)
        switch action {
        case .dropped:
            break
        case .reordered:
            // One held per direction: an older one goes now, behind nothing.
            if let old = leg.held[direction] { send(old.bytes, on: leg, direction) }
            leg.held[direction] = (bytes, t)
        case .forwarded where settings.pack:
            pack(bytes, seen.flight, on: leg, direction, at: t)
        default:
            let copies = action == .duplicated ? 2 : 1
            for _ in 0..<copies {
                if let due { delayLine.add(bytes, on: leg, direction, due: due) } else { send(bytes, on: leg, direction) }
            }
            // The datagram held back goes after this one: they crossed.
            if let old = leg.held.removeValue(forKey: direction) {
                if let due { delayLine.add(old.bytes, on: leg, direction, due: due) } else { send(old.bytes, on: leg, direction) }
            }
        }
        noteDelivery(seen, on: leg, direction, action)
    }

    func report(_ bytes: [UInt8], _ seen: FlightObservation, on leg: RelayLeg, _ direction: RelayDirection,
                _ action: RelayAction, _ reason: String?, _ recovery: String?, at t: Double, held: Int? = nil) {
        if held.map({ leg.settle($0, action) }) != true {
            leg.note(RelayLegEntry(time: t, direction: direction, action: action, size: bytes.count, observation: seen))
        }
        emit(leg, .datagram(direction, action: action, bytes: bytes, observation: seen, reason: reason, recovery: recovery))
    }

    /// Completed, as far as the wire can tell: protected records delivered
    /// both ways; confirmed later by the quiet after flight 6 (`RelayLeg.quietAfterFlight6`).
    func noteDelivery(_ seen: FlightObservation, on leg: RelayLeg, _ direction: RelayDirection, _ action: RelayAction) {
        if action != .dropped, direction == .down, seen.flight == 6 {
            leg.flight6PassedAt = now()
            leg.flight5ResentAfterFlight6 = false
        }
        guard action != .dropped, seen.encrypted > 0, !leg.totals.handshakeCompleted else { return }
        leg.encryptedDelivered.insert(direction)
        if leg.encryptedDelivered.count == 2 {
            leg.totals.handshakeCompleted = true
            emit(leg, .handshakeCompleted)
        }
    }

    /// What to do with a datagram, why, and who recovers when it is a lost flight.
    private func decide(_ size: Int, _ seen: FlightObservation, _ leg: RelayLeg, _ direction: RelayDirection)
        -> (RelayAction, String?, String?)
    {
        if let mtu = settings.mtu {
            let family = direction == .up ? upstream : leg.client
            let limit = mtu - family.headerOverhead
            if size > limit {
                return (.dropped, "\(size) B is over the payload limit of \(limit) B (--mtu \(mtu))", nil)
            }
        }
        // --protect-hvr: a HelloVerifyRequest goes through whatever else is asked.
        if settings.protectHelloVerifyRequest && seen.messageNames.contains("HelloVerifyRequest") {
            return (.forwarded, nil, nil)
        }
        for (name, nth) in settings.dropMessages where seen.messageNames.contains(name) && leg.messageCounts[name] == nth {
            return (.dropped, "--drop-message \(name):\(nth)", seen.flight.map { FlightObservation.recovery(ofLost: $0) })
        }
        if let f = seen.flight, settings.dropFlights.contains(f), !seen.isResend {
            return (.dropped, "--drop-flight \(f): its first transmission", FlightObservation.recovery(ofLost: f))
        }
        // Impairments never touch what is not DTLS.
        guard seen.unclassifiable != "not DTLS records", settings.randomizes else { return (.forwarded, nil, nil) }
        if leg.impairment.shouldDrop(percent: settings.dropPercent) {
            let recovery = seen.flight.map { FlightObservation.recovery(ofLost: $0) }
            return (.dropped, "--drop \(format(settings.dropPercent)) %", recovery)
        }
        if leg.impairment.shouldDrop(percent: settings.dupPercent) { return (.duplicated, nil, nil) }
        if leg.impairment.shouldDrop(percent: settings.reorderPercent) {
            return (.reordered, "held back behind the next datagram this way", nil)
        }
        return (.forwarded, nil, nil)
    }

    /// Flips the last byte (the tag's) of the first protected application data
    /// record, for `--corrupt-app PERCENT` of the datagrams that hold one.
    private func corruptApplicationData(_ bytes: inout [UInt8], _ leg: RelayLeg) -> Bool {
        guard settings.corruptAppPercent > 0 else { return false }
        let split = RecordLayer.split(bytes)
        guard let r = split.records.first(where: {
            $0.header.epoch > 0 && $0.header.contentType == ContentType.applicationData.rawValue && $0.header.length > 0
        }), leg.impairment.shouldDrop(percent: settings.corruptAppPercent) else { return false }
        bytes[r.offset + RecordHeader.length + Int(r.header.length) - 1] ^= 0xff
        return true
    }

    private func format(_ d: Double) -> String {
        d == d.rounded() ? String(Int(d)) : String(d)
    }

    /// `--pack`: a flight's datagram joins the one being gathered that way when
    /// it is of the same flight and both fit under the payload limit; anything
    /// else sends what was gathered first.
    private func pack(_ bytes: [UInt8], _ flight: Int?, on leg: RelayLeg, _ direction: RelayDirection, at t: Double) {
        let limit = (settings.mtu ?? 1500) - (direction == .up ? upstream : leg.client).headerOverhead
        if let p = leg.packing[direction], p.flight == flight, p.bytes.count + bytes.count <= limit {
            leg.packing[direction]?.bytes += bytes
            return
        }
        flushPack(leg, direction)
        if let flight { leg.packing[direction] = (flight, bytes, t) } else { send(bytes, on: leg, direction) }
    }

    func flushPack(_ leg: RelayLeg, _ direction: RelayDirection) {
        guard let p = leg.packing.removeValue(forKey: direction) else { return }
        send(p.bytes, on: leg, direction)
    }

    /// Sends what the delay line holds that is due, and held datagrams that waited long enough.
    func sendDue() {
        let t = now()
        for leg in legs {
            for (direction, p) in leg.packing where t - p.since >= settings.packWindowSeconds { flushPack(leg, direction) }
        }
        for e in delayLine.takeDue(t) { send(e.bytes, on: e.leg, e.direction) }
        for leg in legs {
            for (direction, h) in leg.held where t - h.since >= settings.reorderHoldSeconds {
                leg.held[direction] = nil
                send(h.bytes, on: leg, direction)
            }
        }
    }
}
