/// What a line source hands the shell: a finished line, an abandoned one, or the end of input.
///
/// The shell's loop treats a terminal and a pipe the same way, so both sources speak this one type.
public enum LineEvent: Equatable, Sendable {
    /// A complete line, without its line terminator.
    case line(String)
    /// The half-typed line was abandoned (Ctrl-C); nothing should run.
    ///
    /// Neither source reports it: SIGINT reaches the shell through its signalfd, not through the input.
    /// It is here so the shell can route Ctrl-C through the same switch as lines and end of input.
    case interrupted
    /// No more input: Ctrl-D on an empty line, a closed pipe, the end of a file or a hung-up terminal.
    case endOfInput
}
