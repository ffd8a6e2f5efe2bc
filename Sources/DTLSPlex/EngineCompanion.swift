/// Something that lives in the engine's loop without being part of it (the
/// shell's relays): in auto mode its descriptors join the engine's poll set,
/// so its datagrams wake the loop, and `turn` runs after each driving turn.
/// Nothing is added to a turn when there is no companion.
public protocol EngineCompanion: AnyObject {
    var descriptors: [Int32] { get }
    func turn()
}
